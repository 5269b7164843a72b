"""Orders, their lines, fulfillments and history; order inputs and payloads."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from oms import models, scopes
from oms.enums import DeliveryMethod, FulfillmentStatus, OrderStatus, PaymentStatus
from oms.orders.history import data_shown_to
from oms.orders.inputs import LineSpec, OrderSpec, PaymentSpec, Price
from oms.orders.queries import OrderCriteria
from schema import loaders as catalog_loaders
from schema import order_loaders as loaders
from schema.catalog import Channel, FulfillmentNode, channel_by_id, node_by_id
from schema.common import Address, AddressInput, Money, MoneyInput, PageInfo, UserError
from schema.companies import Company
from schema.context import Info
from schema.documents import Document
from schema.notifications import Notification
from schema.shipping import ShippingService, service_by_code

if TYPE_CHECKING:
    from schema.returns import Return
    from schema.schedules import OrderSchedule


@strawberry.type
class OrderLine:
    id: strawberry.ID
    sku: str
    quantity: int
    allocated_quantity: int
    backordered_quantity: int
    shipped_quantity: int
    delivered_quantity: int
    cancelled_quantity: int
    returned_quantity: int
    unit_price_: strawberry.Private[Decimal]
    currency_: strawberry.Private[str | None]
    order_id_: strawberry.Private[str]

    @strawberry.field
    async def unit_price(self, info: Info) -> Money:
        currency = self.currency_
        if currency is None:
            currency = await info.context.loaders(loaders.currency_by_order).load(self.order_id_)
        return Money(amount=self.unit_price_, currency=currency)

    @classmethod
    def of(cls, line: models.OrderLine, currency: str | None = None) -> OrderLine:
        return cls(
            id=strawberry.ID(str(line.id)), sku=line.sku, quantity=line.quantity,
            allocated_quantity=line.allocated_quantity,
            backordered_quantity=line.backordered_quantity,
            shipped_quantity=line.shipped_quantity, delivered_quantity=line.delivered_quantity,
            cancelled_quantity=line.cancelled_quantity, returned_quantity=line.returned_quantity,
            unit_price_=line.unit_price, currency_=currency, order_id_=str(line.order_id),
        )


async def order_line_by_id(info: Info, line_id: str) -> OrderLine:
    return OrderLine.of(await info.context.loaders(loaders.order_lines_by_id).load(line_id))


@strawberry.type
class FulfillmentLine:
    sku: str
    quantity: int
    order_line_id_: strawberry.Private[str]

    @strawberry.field
    async def order_line(self, info: Info) -> OrderLine:
        return await order_line_by_id(info, self.order_line_id_)


@strawberry.type(description="The part of an order sent to one node.")
class Fulfillment:
    id: strawberry.ID
    status: FulfillmentStatus
    carrier: str | None
    tracking_number: str | None
    reason: str | None = strawberry.field(description="Why it was rejected or cancelled.")
    created_at: datetime
    updated_at: datetime
    node_id_: strawberry.Private[int]
    order_id_: strawberry.Private[str]
    shipping_cost_: strawberry.Private[Decimal | None] = None
    currency_: strawberry.Private[str | None] = None
    shipping_service_code_: strawberry.Private[str | None] = None

    @strawberry.field(description="Shipping cost of this parcel.")
    async def shipping_cost(self, info: Info) -> Money | None:
        if self.shipping_cost_ is None:
            return None
        currency = self.currency_ or await info.context.loaders(
            loaders.currency_by_order).load(self.order_id_)
        return Money(amount=self.shipping_cost_, currency=currency)

    @strawberry.field
    async def shipping_service(self, info: Info) -> ShippingService | None:
        return await service_by_code(info, self.shipping_service_code_)

    @strawberry.field
    async def node(self, info: Info) -> FulfillmentNode:
        return await node_by_id(info, self.node_id_)

    @strawberry.field
    async def lines(self, info: Info) -> list[FulfillmentLine]:
        rows = await info.context.loaders(loaders.fulfillment_lines_by_fulfillment).load(
            str(self.id))
        return [FulfillmentLine(sku=r.sku, quantity=r.quantity,
                                order_line_id_=str(r.order_line_id)) for r in rows]

    @strawberry.field
    async def order(self, info: Info) -> Order:
        return Order.of(await info.context.loaders(loaders.orders_by_id).load(self.order_id_))

    @strawberry.field(description="Its packing slip and delivery note, once packed and shipped.")
    async def documents(self, info: Info) -> list[Document]:
        await info.context.require(*scopes.READ_ORDERS)
        rows = await info.context.loaders(loaders.documents_by_fulfillment).load(str(self.id))
        return [Document.of(row) for row in rows]

    @classmethod
    def of(cls, row: models.Fulfillment, currency: str | None = None) -> Fulfillment:
        """`currency`: the order's, when the caller has it at hand."""
        return cls(
            id=strawberry.ID(str(row.id)), status=row.status, carrier=row.carrier,
            tracking_number=row.tracking_number, reason=row.reason, created_at=row.created_at,
            updated_at=row.updated_at, node_id_=row.node_id, order_id_=str(row.order_id),
            shipping_cost_=row.shipping_cost, currency_=currency,
            shipping_service_code_=row.shipping_service_code,
        )


@strawberry.type
class OrderEvent:
    id: strawberry.ID
    type: str = strawberry.field(
        description="e.g. ORDER_CREATED, ALLOCATED, ROUTING_OVERRIDDEN, FULFILLMENT_SHIPPED")
    status: OrderStatus
    message: str | None
    at: datetime
    data_: strawberry.Private[dict[str, Any] | None]

    @strawberry.field(description="What the event is about; a channel named in it (the one a "
                                  "return came in by) only to a token that sees that channel.")
    async def data(self, info: Info) -> JSON | None:
        return cast(JSON, data_shown_to(await info.context.principal(), self.data_))

    @classmethod
    def of(cls, row: models.OrderEvent) -> OrderEvent:
        return cls(id=strawberry.ID(str(row.id)), type=row.type, status=row.status,
                   message=row.message, data_=row.data, at=row.at)


@strawberry.type
class Order:
    id: strawberry.ID
    number: str = strawberry.field(description="Human-facing, unique, e.g. WEB-000042.")
    status: OrderStatus
    payment_status: PaymentStatus
    customer_email: str
    customer_ref: str | None
    delivery_method: DeliveryMethod
    shipping_address: Address | None
    total: Money
    created_at: datetime
    updated_at: datetime
    purchase_order_number: str | None = strawberry.field(
        description="B2B: the buyer's purchase order number.")
    placed_by: str | None = strawberry.field(description=(
        "Name of the token (person or system) that placed the order, e.g. a sales rep."))
    channel_id_: strawberry.Private[int]
    pickup_node_id_: strawberry.Private[int | None]
    company_id_: strawberry.Private[int | None]
    shipping_total: Money | None = None
    shipping_service_code_: strawberry.Private[str | None] = None

    @strawberry.field
    async def shipping_service(self, info: Info) -> ShippingService | None:
        return await service_by_code(info, self.shipping_service_code_)

    @strawberry.field
    async def channel(self, info: Info) -> Channel:
        return await channel_by_id(info, self.channel_id_)

    @strawberry.field(description="B2B: the company account that ordered.")
    async def company(self, info: Info) -> Company | None:
        if self.company_id_ is None:
            return None
        found = await info.context.loaders(catalog_loaders.companies_by_id).load(self.company_id_)
        return Company.of(found) if found else None

    @strawberry.field
    async def pickup_node(self, info: Info) -> FulfillmentNode | None:
        return None if self.pickup_node_id_ is None else await node_by_id(info, self.pickup_node_id_)

    @strawberry.field
    async def lines(self, info: Info) -> list[OrderLine]:
        rows = await info.context.loaders(loaders.lines_by_order).load(str(self.id))
        return [OrderLine.of(row, self.total.currency) for row in rows]

    @strawberry.field
    async def fulfillments(self, info: Info) -> list[Fulfillment]:
        rows = await info.context.loaders(loaders.fulfillments_by_order).load(str(self.id))
        return [Fulfillment.of(row, self.total.currency) for row in rows]

    @strawberry.field
    async def returns(self, info: Info) -> list[Annotated[Return, strawberry.lazy("schema.returns")]]:
        from schema.returns import Return

        rows = await info.context.loaders(loaders.returns_by_order).load(str(self.id))
        return [Return.of(row) for row in rows]

    @strawberry.field(description="Every state change, oldest first.")
    async def events(self, info: Info) -> list[OrderEvent]:
        rows = await info.context.loaders(loaders.events_by_order).load(str(self.id))
        return [OrderEvent.of(row) for row in rows]

    @strawberry.field(description="What the customer is told of this order, oldest first.")
    async def notifications(self, info: Info) -> list[Notification]:
        await info.context.require(*scopes.READ_ORDERS)
        rows = await info.context.loaders(loaders.notifications_by_order).load(str(self.id))
        return [Notification.of(row, self.number) for row in rows]

    @strawberry.field(description=(
        "Every document issued for it, oldest first: parcels' packing slips and delivery notes, "
        "the invoice (once fully shipped or collected), credit notes (one per refund)."))
    async def documents(self, info: Info) -> list[Document]:
        rows = await info.context.loaders(loaders.documents_by_order).load(str(self.id))
        return [Document.of(row) for row in rows]

    @strawberry.field(description="The recurring order that produced this order, if any.")
    async def schedule(self, info: Info) -> Annotated[
            OrderSchedule, strawberry.lazy("schema.schedules")] | None:
        from schema.schedules import OrderSchedule

        row = await info.context.loaders(loaders.schedules_by_order).load(str(self.id))
        return None if row is None else OrderSchedule.of(row)

    @classmethod
    def of(cls, order: models.Order) -> Order:
        return cls(
            id=strawberry.ID(str(order.id)), number=order.number, status=order.status,
            payment_status=order.payment_status, customer_email=order.customer_email,
            customer_ref=order.customer_ref, delivery_method=order.delivery_method,
            shipping_address=Address.from_dict(order.shipping_address),
            total=Money(amount=order.total, currency=order.currency),
            created_at=order.created_at, updated_at=order.updated_at,
            channel_id_=order.channel_id, pickup_node_id_=order.pickup_node_id,
            purchase_order_number=order.purchase_order_number, placed_by=order.placed_by,
            company_id_=order.company_id,
            shipping_total=_money(order.shipping_total, order.currency),
            shipping_service_code_=order.shipping_service_code,
        )


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo
    total_count: int


@strawberry.input
class OrderFilter:
    channel: str | None = None
    status: list[OrderStatus] | None = None
    customer_email: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    def to_criteria(self) -> OrderCriteria:
        return OrderCriteria(self.channel, list(self.status or []), self.customer_email,
                          self.created_after, self.created_before)


def _money(amount: Decimal | None, currency: str | None) -> Money | None:
    return None if amount is None or currency is None else Money(amount=amount, currency=currency)


def _price(money: MoneyInput) -> Price:
    return Price(money.amount, money.currency.upper())


@strawberry.input
class OrderLineInput:
    sku: str
    quantity: int
    unit_price: MoneyInput


@strawberry.input
class PaymentInput:
    reference: str = strawberry.field(description="Reference from the payment provider.")
    amount: MoneyInput
    authorized: bool | None = strawberry.field(
        default=True, description="The provider already authorized this amount.")


@strawberry.input
class PlaceOrderInput:
    channel: str
    customer_email: str
    customer_ref: str | None = None
    delivery_method: DeliveryMethod
    shipping_address: AddressInput | None = None
    pickup_node_code: str | None = strawberry.field(
        default=None, description="Required for PICKUP_IN_STORE.")
    lines: list[OrderLineInput]
    payment: PaymentInput | None = None
    reservation_id: strawberry.ID | None = strawberry.field(
        default=None, description="Consume this cart reservation instead of reserving anew.")
    idempotency_key: str | None = strawberry.field(default=None, description=(
        "A retry with the same key returns the order the first call created,\n"
        "never a second order."))
    purchase_order_number: str | None = strawberry.field(
        default=None, description="B2B: the buyer's purchase order number.")
    company_code: str | None = strawberry.field(default=None, description=(
        "B2B: the company account ordering; its payment terms and credit limit apply."))
    shipping_service_code: str | None = strawberry.field(default=None, description=(
        "The shipping service the customer chose (from shippingQuotes); omit for the cheapest "
        "that can deliver."))

    def to_spec(self) -> OrderSpec:
        pay = self.payment
        return OrderSpec(
            channel=self.channel, customer_email=self.customer_email,
            delivery_method=self.delivery_method,
            lines=[LineSpec(line.sku, line.quantity, _price(line.unit_price))
                   for line in self.lines],
            customer_ref=self.customer_ref,
            shipping_address=self.shipping_address.to_dict() if self.shipping_address else None,
            pickup_node_code=self.pickup_node_code,
            payment=PaymentSpec(pay.reference, _price(pay.amount), pay.authorized is not False)
            if pay else None,
            reservation_id=str(self.reservation_id) if self.reservation_id else None,
            idempotency_key=self.idempotency_key, company_code=self.company_code,
            purchase_order_number=self.purchase_order_number,
            shipping_service_code=self.shipping_service_code,
        )


@strawberry.type
class OrderPayload:
    order: Order | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RoutingOverrideInput:
    order_id: strawberry.ID
    order_line_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Lines to move; omitted = every line not yet shipped.")
    node_code: str
    reason: str
