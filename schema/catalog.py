"""Nodes and channels."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from oms import catalog, models, scopes
from oms.catalog import ChannelSpec, NodeSpec
from schema import loaders
from schema.common import Address, AddressInput, GeoPoint, GeoPointInput, UserError
from schema.context import Info
from schema.enums import ChannelType, NodeType

if TYPE_CHECKING:
    from schema.inventory import InventoryPosition


@strawberry.type(description="A place stock lives in and orders are fulfilled from.")
class FulfillmentNode:
    code: str
    name: str
    type: NodeType
    active: bool
    address: Address | None
    location: GeoPoint | None
    priority: int = strawberry.field(
        description="Lower number = preferred by sourcing when other criteria tie or are weighted."
    )
    can_ship: bool
    can_pickup: bool
    daily_capacity: int | None = strawberry.field(
        description="Fulfillments this node can take per day; null = unlimited."
    )
    processing_time_hours: float
    id_: strawberry.Private[int]

    @strawberry.field(description="Fulfillments released to this node and not yet shipped/cancelled.")
    async def backlog(self, info: Info) -> int:
        return await info.context.loaders(loaders.backlog_by_node).load(self.id_)

    @strawberry.field
    async def inventory(
        self, info: Info, skus: list[str] | None = None
    ) -> list[Annotated[InventoryPosition, strawberry.lazy("schema.inventory")]]:
        from schema.inventory import InventoryPosition

        who = await info.context.require(*scopes.READ_STOCK)
        seen = await info.context.memo("visible nodes", lambda: catalog.nodes_visible_to(who))
        if seen is not None and self.id_ not in seen:
            return []
        key = (self.id_, tuple(sorted(set(skus))) if skus is not None else None)
        positions = await info.context.loaders(loaders.positions_by_node).load(key)
        return [InventoryPosition.of(p) for p in positions]

    @classmethod
    def of(cls, node: models.Node) -> FulfillmentNode:
        return cls(
            code=node.code, name=node.name, type=node.type, active=node.active,
            address=Address.from_dict(node.address),
            location=GeoPoint.of(node.latitude, node.longitude), priority=node.priority,
            can_ship=node.can_ship, can_pickup=node.can_pickup, daily_capacity=node.daily_capacity,
            processing_time_hours=node.processing_time_hours, id_=node.id,
        )


async def node_by_id(info: Info, node_id: int) -> FulfillmentNode:
    node = await info.context.loaders(loaders.nodes_by_id).load(node_id)
    return FulfillmentNode.of(node)


@strawberry.input
class NodeInput:
    code: str
    name: str
    type: NodeType
    active: bool | None = True
    address: AddressInput | None = None
    location: GeoPointInput | None = None
    priority: int | None = 100
    can_ship: bool | None = True
    can_pickup: bool | None = False
    daily_capacity: int | None = None
    processing_time_hours: float | None = 24

    def to_spec(self) -> NodeSpec:
        return NodeSpec(
            code=self.code, name=self.name, type=self.type,
            active=True if self.active is None else self.active,
            address=self.address.to_dict() if self.address else None,
            latitude=self.location.latitude if self.location else None,
            longitude=self.location.longitude if self.location else None,
            priority=100 if self.priority is None else self.priority,
            can_ship=True if self.can_ship is None else self.can_ship,
            can_pickup=bool(self.can_pickup), daily_capacity=self.daily_capacity,
            processing_time_hours=24.0 if self.processing_time_hours is None
            else self.processing_time_hours,
        )


@strawberry.type
class NodePayload:
    node: FulfillmentNode | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A sales channel and the view of stock it is allowed to promise.")
class Channel:
    code: str
    name: str
    type: ChannelType
    currency: str
    active: bool
    buffer: int = strawberry.field(
        description="Units held back from this channel at every node, on top of node safety stock."
    )
    node_types: list[NodeType] = strawberry.field(
        description="Node types this channel may promise from; empty = all."
    )
    allocation_percent: int = strawberry.field(
        description="Share (0-100) of each node's available stock this channel may promise."
    )
    order_prefix: str = strawberry.field(description="Prefix of this channel's order numbers.")
    language: str | None = strawberry.field(description=(
        "Language of its customer messages (it, es, en); null: from the shipping address."))
    return_window_days: int | None = strawberry.field(description=(
        "Days after delivery (or pickup) within which a return may be requested; null = no limit."))
    excluded_node_codes: strawberry.Private[list[str]]
    id_: strawberry.Private[int]

    @strawberry.field(description="Nodes whose stock this channel never sees.")
    async def excluded_nodes(self, info: Info) -> list[FulfillmentNode]:
        nodes = await info.context.loaders(loaders.nodes_by_code).load_many(self.excluded_node_codes)
        return [FulfillmentNode.of(n) for n in nodes if n is not None]

    @classmethod
    def of(cls, channel: models.Channel) -> Channel:
        return cls(
            code=channel.code, name=channel.name, type=channel.type, currency=channel.currency,
            active=channel.active, buffer=channel.buffer,
            node_types=[NodeType(t) for t in channel.node_types],
            allocation_percent=channel.allocation_percent, order_prefix=channel.order_prefix,
            language=channel.language, return_window_days=channel.return_window_days,
            excluded_node_codes=list(channel.excluded_node_codes), id_=channel.id,
        )


async def channel_by_id(info: Info, channel_id: int) -> Channel:
    return Channel.of(await info.context.loaders(loaders.channels_by_id).load(channel_id))


@strawberry.input
class ChannelInput:
    code: str
    name: str
    type: ChannelType
    currency: str
    active: bool | None = True
    buffer: int | None = 0
    excluded_node_codes: list[str] | None = strawberry.field(default_factory=list)
    node_types: list[NodeType] | None = strawberry.field(default_factory=list)
    allocation_percent: int | None = 100
    language: str | None = strawberry.field(default=None, description=(
        "Language of its customer messages (it, es, en); null: from the shipping address."))
    return_window_days: int | None = strawberry.field(default=None, description=(
        "Days after delivery (or pickup) within which a return may be requested; null = no limit."))

    def to_spec(self) -> ChannelSpec:
        return ChannelSpec(
            code=self.code, name=self.name, type=self.type, currency=self.currency,
            active=True if self.active is None else self.active, buffer=self.buffer or 0,
            excluded_node_codes=list(self.excluded_node_codes or []),
            node_types=list(self.node_types or []),
            allocation_percent=100 if self.allocation_percent is None else self.allocation_percent,
            language=self.language, return_window_days=self.return_window_days,
        )


@strawberry.type
class ChannelPayload:
    channel: Channel | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
