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
from oms.auth import Principal
from oms.errors import ErrorCode, Problems
from oms.inventory import Adjustment, InventoryRecord, Level
from oms.orders.backorders import release_backorders, skus_waiting_with
from oms.uow import UnitOfWork


async def receive_sync(uow: UnitOfWork, records: Sequence[InventoryRecord],
                       note: str | None = None, by: Principal | None = None) -> list[Level]:
    """Absolute levels (all or none), then backordered orders of those SKUs, oldest first.
    A node-limited caller (`by`) writes only at its nodes."""
    if by is not None:
        check_nodes(by, [r.node_code for r in records], "records")
    skus = {r.sku for r in records}
    waiting = await skus_waiting_with(skus)
    levels = await inventory.sync_inventory(uow, records, note, lock_skus=waiting)
    await release_backorders(uow, skus)
    return levels


async def receive_adjustments(uow: UnitOfWork, adjustments: Sequence[Adjustment],
                              by: Principal | None = None) -> list[Level]:
    """Signed changes (all or none), then backordered orders of SKUs that went up.
    A node-limited caller (`by`) writes only at its nodes."""
    if by is not None:
        check_nodes(by, [a.node_code for a in adjustments], "adjustments")
    arriving = {a.sku for a in adjustments if a.delta > 0}
    waiting = await skus_waiting_with(arriving)
    levels = await inventory.adjust_inventory(uow, adjustments, lock_skus=waiting)
    await release_backorders(uow, arriving)
    return levels


def check_nodes(principal: Principal, node_codes: Sequence[str], field: str) -> None:
    """NODE_NOT_ALLOWED for every code outside the caller's node limits (none: all nodes)."""
    problems = Problems()
    for i, code in enumerate(node_codes):
        if not principal.sees_node(code):
            problems.add(ErrorCode.NODE_NOT_ALLOWED, f"this token may not act at node {code}",
                         field, i, "nodeCode")
    problems.raise_if_any()
