from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry

from oms import availability, catalog, inventory, receiving, scopes
from oms.errors import ErrorCode
from oms.inventory import Adjustment, InventoryRecord
from oms.scopes import Scope
from resolvers.base import answer, mutate, refusal, selects
from schema.catalog import FulfillmentNode
from schema.common import GeoPointInput
from schema.context import Info
from schema.enums import DeliveryMethod
from schema.inventory import (
    InventoryAdjustmentInput,
    InventoryPosition,
    InventoryRecordInput,
    InventorySyncPayload,
    SkuAvailability,
)


@strawberry.type
class InventoryQuery:
    @strawberry.field(description=(
        "What `channel` may promise for each SKU; `near` narrows per-node answers for pickup: "
        "byNode sorted by distance, within `radiusKm`, at most `limit` nodes."
    ))
    async def availability(
        self, info: Info, channel: str, skus: list[str],
        delivery_method: DeliveryMethod | None = None, near: GeoPointInput | None = None,
        radius_km: float | None = None, limit: int | None = None, include_empty: bool = False,
    ) -> list[SkuAvailability]:
        who = await info.context.require(*scopes.READ_AVAILABILITY)
        where = availability.Near(near.latitude, near.longitude, radius_km, limit) if near else None
        with_nodes = selects(info, "byNode")
        result = None if not who.sees_channel(channel) else await answer(
            availability.channel_availability(
                channel, skus, delivery_method, where, include_empty, with_nodes,
                await catalog.nodes_by_id() if with_nodes else None,
            ))
        if result is None:
            raise refusal(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {channel!r}")
        nodes: dict[int, FulfillmentNode] = {}
        return [SkuAvailability.of(item, nodes) for item in result]

    @strawberry.field
    async def inventory(self, info: Info, sku: str) -> list[InventoryPosition]:
        who = await info.context.require(*scopes.READ_STOCK)
        seen = await catalog.nodes_visible_to(who)
        return [InventoryPosition.of(p) for p in await inventory.positions_for_sku(sku, seen)]


@strawberry.type
class InventoryMutation:
    @strawberry.mutation(
        description="Absolute levels, e.g. a WMS or ERP snapshot. Atomic: all records or none."
    )
    async def sync_inventory(self, info: Info,
                             records: list[InventoryRecordInput]) -> InventorySyncPayload:
        specs = [r.to_record() for r in records]
        out = await mutate(info, (Scope.INVENTORY_WRITE,),
                           lambda uow, who: receiving.receive_sync(uow, specs, by=who),
                           audit=lambda _: None, audit_details=lambda: _summary(specs))
        return InventorySyncPayload(updated=len(out.value or []), user_errors=out.user_errors)

    @strawberry.mutation(description="Relative changes. Atomic: all adjustments or none.")
    async def adjust_inventory(self, info: Info,
                               adjustments: list[InventoryAdjustmentInput]) -> InventorySyncPayload:
        specs = [a.to_adjustment() for a in adjustments]
        out = await mutate(info, (Scope.INVENTORY_WRITE,),
                           lambda uow, who: receiving.receive_adjustments(uow, specs, by=who),
                           audit=lambda _: None, audit_details=lambda: _summary(specs))
        return InventorySyncPayload(updated=len(out.value or []), user_errors=out.user_errors)


def _summary(specs: Sequence[InventoryRecord | Adjustment]) -> dict[str, Any]:
    """What an audit entry keeps of a stock feed: its size, nodes and SKUs (not every row)."""
    skus = sorted({s.sku for s in specs})
    return {"records": len(specs), "nodes": sorted({s.node_code for s in specs}),
            "skus": skus[:100], "skuCount": len(skus)}
