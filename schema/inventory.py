"""Stock positions, inventory feeds and channel availability."""
from __future__ import annotations

from datetime import datetime

import strawberry

from oms import models
from oms.availability import SkuAvailable
from oms.inventory import Adjustment, InventoryRecord
from schema.catalog import FulfillmentNode, node_by_id
from schema.common import UserError, scalar_input
from schema.context import Info


@strawberry.type(description="Stock of one SKU at one node.")
class InventoryPosition:
    sku: str
    on_hand: int
    reserved: int = strawberry.field(
        description="Held for orders not yet shipped, and for live cart reservations."
    )
    safety_stock: int = strawberry.field(description="Never promised to any channel from this node.")
    available: int = strawberry.field(description="max(0, onHand - reserved - safetyStock)")
    scrapped: int = strawberry.field(description="Returned units written off here (not sellable).")
    return_to_vendor: int = strawberry.field(
        description="Returned units held here for the vendor (not sellable)."
    )
    inbound: int = strawberry.field(
        description="Units on the way (purchase orders and transfers not yet received).")
    updated_at: datetime
    node_id: strawberry.Private[int]

    @strawberry.field
    async def node(self, info: Info) -> FulfillmentNode:
        return await node_by_id(info, self.node_id)

    @classmethod
    def of(cls, pos: models.InventoryPosition) -> InventoryPosition:
        return cls(
            sku=pos.sku, on_hand=pos.on_hand, reserved=pos.reserved,
            safety_stock=pos.safety_stock,
            available=max(0, pos.on_hand - pos.reserved - pos.safety_stock),
            scrapped=pos.scrapped, return_to_vendor=pos.return_to_vendor, inbound=pos.inbound,
            updated_at=pos.updated_at, node_id=pos.node_id,
        )


@scalar_input
@strawberry.input
class InventoryRecordInput:
    sku: str
    node_code: str
    on_hand: int
    safety_stock: int | None = None
    inbound: int | None = strawberry.field(
        default=None, description="Units on the way to this node (absolute, like onHand).")

    def to_record(self) -> InventoryRecord:
        return InventoryRecord(self.sku, self.node_code, self.on_hand, self.safety_stock,
                               self.inbound)


@scalar_input
@strawberry.input
class InventoryAdjustmentInput:
    sku: str
    node_code: str
    delta: int = strawberry.field(
        description="Signed change to on-hand (receipts positive, shrink negative)."
    )
    reason: str | None = None

    def to_adjustment(self) -> Adjustment:
        return Adjustment(self.sku, self.node_code, self.delta, self.reason)


@strawberry.type
class InventorySyncPayload:
    updated: int = strawberry.field(description="Positions written.")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class NodeAvailability:
    node: FulfillmentNode
    available: int
    distance_km: float | None = strawberry.field(
        default=None, description="Distance from `near`, when it was given."
    )


@strawberry.type(description="What a channel may promise for one SKU right now.")
class SkuAvailability:
    sku: str
    channel: str
    available: int = strawberry.field(
        description="Total promisable units across the nodes this channel sees."
    )
    by_node: list[NodeAvailability] = strawberry.field(
        description="Per node (only nodes with something to promise, unless asked otherwise)."
    )

    @classmethod
    def of(cls, item: SkuAvailable, nodes: dict[int, FulfillmentNode] | None = None) -> SkuAvailability:
        """`nodes`: FulfillmentNodes already made in this answer, by node id (the same few
        nearest nodes recur across SKUs)."""
        made = {} if nodes is None else nodes
        by_node = []
        for n in item.by_node:
            node = made.get(n.node.id)
            if node is None:
                node = made[n.node.id] = FulfillmentNode.of(n.node)
            km = None if n.distance_km is None else round(n.distance_km, 1)
            by_node.append(NodeAvailability(node=node, available=n.available, distance_km=km))
        return cls(sku=item.sku, channel=item.channel, available=item.available, by_node=by_node)
