"""Returns (RMA): the return, its lines, the request and receipt inputs, the payload."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from oms import models
from oms.enums import ReturnDisposition, ReturnStatus
from oms.returns.service import Receipt, ReceivedLineSpec, ReturnLineSpec, ReturnRequest
from schema.catalog import FulfillmentNode, node_by_id
from schema.common import Money, UserError
from schema.context import Info

if TYPE_CHECKING:
    from schema.orders import Order, OrderLine


async def return_lines_by_return(ids: Sequence[str]) -> list[list[models.ReturnLine]]:
    groups: dict[str, list[models.ReturnLine]] = defaultdict(list)
    for row in await models.ReturnLine.filter(return__id__in=set(ids)).order_by("id"):
        groups[str(row.return__id)].append(row)  # type: ignore[attr-defined]
    return [groups.get(str(i), []) for i in ids]


@strawberry.type
class ReturnLine:
    sku: str
    quantity: int
    reason: str
    disposition: ReturnDisposition | None
    order_line_id_: strawberry.Private[str]

    @strawberry.field
    async def order_line(self, info: Info) -> Annotated[OrderLine, strawberry.lazy("schema.orders")]:
        from schema.orders import order_line_by_id

        return await order_line_by_id(info, self.order_line_id_)


@strawberry.type
class Return:
    id: strawberry.ID
    number: str = strawberry.field(description="Human-facing, e.g. RMA-000007.")
    status: ReturnStatus
    created_at: datetime
    refund_amount_: strawberry.Private[Decimal | None]
    order_id_: strawberry.Private[str]
    received_node_id_: strawberry.Private[int | None]

    @strawberry.field(description="Unit price x received quantity, once refunded.")
    async def refund(self, info: Info) -> Money | None:
        from schema.order_loaders import currency_by_order

        if self.refund_amount_ is None:
            return None
        currency = await info.context.loaders(currency_by_order).load(self.order_id_)
        return Money(amount=self.refund_amount_, currency=currency)

    @strawberry.field
    async def order(self, info: Info) -> Annotated[Order, strawberry.lazy("schema.orders")]:
        from schema.order_loaders import orders_by_id
        from schema.orders import Order

        return Order.of(await info.context.loaders(orders_by_id).load(self.order_id_))

    @strawberry.field
    async def lines(self, info: Info) -> list[ReturnLine]:
        rows = await info.context.loaders(return_lines_by_return).load(str(self.id))
        return [ReturnLine(sku=r.sku, quantity=r.quantity, reason=r.reason,
                           disposition=r.disposition, order_line_id_=str(r.order_line_id))
                for r in rows]

    @strawberry.field(description="Node that received the goods (a store for "
                                  "buy-online-return-in-store).")
    async def received_at(self, info: Info) -> FulfillmentNode | None:
        node_id = self.received_node_id_
        return None if node_id is None else await node_by_id(info, node_id)

    @classmethod
    def of(cls, row: models.Return) -> Return:
        return cls(id=strawberry.ID(str(row.id)), number=row.number, status=row.status,
                   refund_amount_=row.refund_amount, created_at=row.created_at,
                   order_id_=str(row.order_id),
                   received_node_id_=row.received_node_id)


@strawberry.input
class ReturnLineInput:
    order_line_id: strawberry.ID
    quantity: int
    reason: str

    def to_spec(self) -> ReturnLineSpec:
        return ReturnLineSpec(str(self.order_line_id), self.quantity, self.reason)


@strawberry.input
class RequestReturnInput:
    order_id: strawberry.ID
    lines: list[ReturnLineInput]
    channel: str | None = strawberry.field(
        default=None, description="Channel the return was started in (e.g. a store).")

    def to_spec(self) -> ReturnRequest:
        return ReturnRequest(str(self.order_id), [line.to_spec() for line in self.lines],
                             self.channel)


@strawberry.input
class ReceiveReturnLineInput:
    order_line_id: strawberry.ID
    quantity: int
    disposition: ReturnDisposition

    def to_spec(self) -> ReceivedLineSpec:
        return ReceivedLineSpec(str(self.order_line_id), self.quantity, self.disposition)


@strawberry.input
class ReceiveReturnInput:
    return_id: strawberry.ID
    node_code: str
    lines: list[ReceiveReturnLineInput]

    def to_spec(self) -> Receipt:
        return Receipt(str(self.return_id), self.node_code, [line.to_spec() for line in self.lines])


@strawberry.type
class ReturnPayload:
    return_: Return | None = strawberry.field(default=None, name="return")
    user_errors: list[UserError] = strawberry.field(default_factory=list)
