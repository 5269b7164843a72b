"""Stock arriving from outside (WMS/ERP feeds): record it, then serve waiting backorders."""
from __future__ import annotations

from collections.abc import Sequence

from oms import inventory
from oms.inventory import Adjustment, InventoryRecord
from oms.models import InventoryPosition
from oms.orders.backorders import release_backorders
from oms.uow import UnitOfWork


async def receive_sync(uow: UnitOfWork, records: Sequence[InventoryRecord],
                       note: str | None = None) -> list[InventoryPosition]:
    """Absolute levels (all or none), then backordered orders of those SKUs, oldest first."""
    positions = await inventory.sync_inventory(uow, records, note)
    await release_backorders(uow, {r.sku for r in records})
    return positions


async def receive_adjustments(uow: UnitOfWork,
                              adjustments: Sequence[Adjustment]) -> list[InventoryPosition]:
    """Signed changes (all or none), then backordered orders of SKUs that went up."""
    positions = await inventory.adjust_inventory(uow, adjustments)
    await release_backorders(uow, {a.sku for a in adjustments if a.delta > 0})
    return positions
