"""Receiving: stock arriving from outside (WMS/ERP feeds, CSV imports) is recorded through
`oms.inventory` (the one writer of stock), then waiting backorders are served.

The positions written are locked in (sku, node) order, like every stock writer locks.
When orders are waiting for the arriving SKUs, every position of every SKU those
orders still miss is locked too, in the same single ordered pass, since releasing
them will hold stock there; with nobody waiting (one indexed look-up says so)
nothing beyond the written rows is locked. Backorders are looked for again after the
write (one more look-up), so an order backordered while the stock arrived is served too.
"""
from __future__ import annotations

from collections.abc import Sequence

from oms import inventory
from oms.inventory import Adjustment, InventoryRecord, Level
from oms.orders.backorders import release_backorders, skus_waiting_with
from oms.uow import UnitOfWork


async def receive_sync(uow: UnitOfWork, records: Sequence[InventoryRecord],
                       note: str | None = None) -> list[Level]:
    """Absolute levels (all or none), then backordered orders of those SKUs, oldest first."""
    skus = {r.sku for r in records}
    waiting = await skus_waiting_with(skus)
    levels = await inventory.sync_inventory(uow, records, note, lock_skus=waiting)
    await release_backorders(uow, skus)
    return levels


async def receive_adjustments(uow: UnitOfWork, adjustments: Sequence[Adjustment]) -> list[Level]:
    """Signed changes (all or none), then backordered orders of SKUs that went up."""
    arriving = {a.sku for a in adjustments if a.delta > 0}
    waiting = await skus_waiting_with(arriving)
    levels = await inventory.adjust_inventory(uow, adjustments, lock_skus=waiting)
    await release_backorders(uow, arriving)
    return levels
