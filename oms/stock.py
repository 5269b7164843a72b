"""Stock arriving from outside (WMS/ERP feeds): record it, then serve waiting backorders.

Every stock row the arrival may touch (its SKUs, and the other SKUs the waiting
orders still miss) is locked first, in (sku, node) order like placements do, so
an arrival and the orders racing it queue instead of deadlocking.
"""
from __future__ import annotations

from collections.abc import Sequence

from oms import inventory
from oms.inventory import Adjustment, InventoryRecord
from oms.models import InventoryPosition
from oms.orders.backorders import release_backorders, skus_waiting_with
from oms.uow import UnitOfWork


async def receive_sync(uow: UnitOfWork, records: Sequence[InventoryRecord],
                       note: str | None = None) -> list[InventoryPosition]:
    """Absolute levels (all or none), then backordered orders of those SKUs, oldest first."""
    skus = {r.sku for r in records}
    await _lock_for_arrival(skus)
    positions = await inventory.sync_inventory(uow, records, note)
    await release_backorders(uow, skus)
    return positions


async def receive_adjustments(uow: UnitOfWork,
                              adjustments: Sequence[Adjustment]) -> list[InventoryPosition]:
    """Signed changes (all or none), then backordered orders of SKUs that went up."""
    arriving = {a.sku for a in adjustments if a.delta > 0}
    await _lock_for_arrival(arriving | {a.sku for a in adjustments})
    positions = await inventory.adjust_inventory(uow, adjustments)
    await release_backorders(uow, arriving)
    return positions


async def _lock_for_arrival(skus: set[str]) -> None:
    await inventory.lock_levels(skus | await skus_waiting_with(skus))
