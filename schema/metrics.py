"""Operations KPIs (`orderMetrics`): each field reads its figure from `oms.metrics`, whose
reads run only for the figures a query selects (see `oms.metrics.kpis`)."""
from __future__ import annotations

from datetime import datetime

import strawberry

from oms import metrics
from oms.errors import DomainError
from schema.catalog import FulfillmentNode, node_by_id
from schema.common import Money
from schema.context import Info
from schema.enums import OrderStatus
from schema.errors import refused


@strawberry.type
class StatusCount:
    status: OrderStatus
    count: int


@strawberry.type(description="One part of a window: its bounds and the orders placed in it.")
class TimeBucket:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    orders: int


@strawberry.type
class ReasonCount:
    reason: str
    count: int = strawberry.field(description="Units asked back with this reason.")


@strawberry.type
class NodeLoad:
    fulfillments: int = strawberry.field(description=(
        "Fulfillments created at this node in the window (for orders of the channels asked)."))
    units: int = strawberry.field(description=(
        "Units on those fulfillments not rejected: shipped or still to ship (a cancellation "
        "takes its units off)."))
    backlog: int = strawberry.field(description=(
        "Open fulfillments now (released, not shipped or cancelled), of every channel."))
    utilization: float | None = strawberry.field(description=(
        "backlog / dailyCapacity; null when capacity is unlimited (or 0)."))
    rejections: int = strawberry.field(description="Of those fulfillments, the ones this node rejected.")
    node_id_: strawberry.Private[int]

    @strawberry.field
    async def node(self, info: Info) -> FulfillmentNode:
        return await node_by_id(info, self.node_id_)

    @classmethod
    def of(cls, load: metrics.NodeLoad) -> NodeLoad:
        return cls(fulfillments=load.fulfillments, units=load.units, backlog=load.backlog,
                   utilization=load.utilization, rejections=load.rejections,
                   node_id_=load.node_id)


@strawberry.type(description=(
    "Order KPIs over [from, to) by placement time, optionally for one channel.\n"
    "Rates are shares in 0..1 with 0 when there is nothing to divide."))
class OrderMetrics:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    channel: str | None
    figures_: strawberry.Private[metrics.OrderFigures]

    @strawberry.field
    async def orders(self) -> int:
        return (await self.figures_.counts()).orders

    @strawberry.field(description="Units ordered.")
    async def units(self) -> int:
        return (await self.figures_.lines()).units

    @strawberry.field(description="Order totals summed per currency (cancelled orders included).")
    async def revenue(self) -> list[Money]:
        return [Money(amount=amount, currency=currency)
                for currency, amount in (await self.figures_.counts()).revenue]

    @strawberry.field(description="Orders per current status (statuses with none left out).")
    async def by_status(self) -> list[StatusCount]:
        return [StatusCount(status=status, count=count)
                for status, count in (await self.figures_.counts()).by_status]

    @strawberry.field(description=(
        "Ordered units allocated to a node when the order was placed (by its placement "
        "decision) / units ordered."))
    async def fill_rate(self) -> float:
        return await self.figures_.fill_rate()

    @strawberry.field(description=(
        "Orders whose units were allocated to more than one node (fulfillments not rejected "
        "or cancelled, at two nodes or more)."))
    async def split_rate(self) -> float:
        return await self.figures_.split_rate()

    @strawberry.field(description="Orders with at least one unit backordered when placed.")
    async def backorder_rate(self) -> float:
        return await self.figures_.backorder_rate()

    @strawberry.field(description="Orders with at least one cancelled unit.")
    async def cancellation_rate(self) -> float:
        return await self.figures_.cancellation_rate()

    @strawberry.field(description=(
        "Returned units (received back at a node) / shipped units (pickups included)."))
    async def return_rate(self) -> float:
        return await self.figures_.return_rate()

    @strawberry.field(description=(
        "Mean great-circle km from shipping node to the delivery address, per shipped "
        "fulfillment (coordinates, else the country's centre, as sourcing measures)."))
    async def mean_shipping_distance_km(self) -> float | None:
        return await self.figures_.mean_shipping_distance_km()

    @strawberry.field(description="Mean hours from placement to the order's first shipment or pickup-ready.")
    async def mean_hours_to_ship(self) -> float | None:
        return await self.figures_.mean_hours_to_ship()

    @strawberry.field(description=(
        "Reasons given on the orders' returns (not cancelled ones), most units first; "
        f"first: 0..{metrics.MAX_REASONS}."))
    async def top_return_reasons(self, first: int | None = 5) -> list[ReasonCount]:
        try:
            reasons = await self.figures_.top_return_reasons(5 if first is None else first)
        except DomainError as exc:
            raise refused(exc) from None
        return [ReasonCount(reason=reason, count=count) for reason, count in reasons]

    @strawberry.field(description=(
        "The window cut into `buckets` equal parts, oldest first, with the orders placed in "
        f"each (a chart's series in one statement); buckets: 1..{metrics.MAX_BUCKETS}."))
    async def orders_over_time(self, buckets: int = 24) -> list[TimeBucket]:
        try:
            counts = await self.figures_.orders_over_time(buckets)
        except DomainError as exc:
            raise refused(exc) from None
        start, width = self.from_, (self.to - self.from_) / buckets
        return [TimeBucket(from_=start + width * i, to=start + width * (i + 1), orders=count)
                for i, count in enumerate(counts)]

    @strawberry.field(description="Per node with fulfillments created in the window, by node code.")
    async def nodes(self) -> list[NodeLoad]:
        return [NodeLoad.of(load) for load in await self.figures_.node_loads()]

    @classmethod
    def of(cls, figures: metrics.OrderFigures) -> OrderMetrics:
        scope = figures.scope
        return cls(from_=scope.start, to=scope.end, channel=scope.channel, figures_=figures)
