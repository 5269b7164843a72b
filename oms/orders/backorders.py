"""When stock arrives, backordered lines are sourced again, oldest order first.

Runs inside the unit of work that received the stock (sync or adjustment), so the
new units are promised to waiting orders before any later order sees them.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tortoise import connections

from oms.db import is_postgres
from oms.enums import OrderEventType, OrderStatus
from oms.fulfillment.resourcing import rejected_by, resource_lines
from oms.locks import lock_orders
from oms.models import Order, OrderLine
from oms.orders.history import record_event
from oms.orders.writing import allocation_data
from oms.uow import UnitOfWork


async def orders_waiting_for(skus: Iterable[str]) -> set[Any]:
    """Ids of the orders with a backordered line of any of `skus`: one look-up in the small
    partial index of backordered lines, however many SKUs (a sync sends thousands)."""
    wanted = sorted(set(skus))
    if not wanted:
        return set()
    conn = connections.get("default")
    sql = 'SELECT DISTINCT "order_id" FROM "order_line" WHERE "backordered_quantity" > 0 AND '
    if is_postgres(conn):
        rows = await conn.execute_query_dict(sql + '"sku" = ANY($1::text[])', [wanted])
    else:
        rows = await conn.execute_query_dict(sql + '"sku" IN (SELECT "value" FROM json_each(?))',
                                             [json.dumps(wanted)])
    return {row["order_id"] for row in rows}


async def skus_waiting_with(skus: Iterable[str]) -> set[str]:
    """Every SKU still backordered on the orders waiting for any of `skus`."""
    waiting = await orders_waiting_for(skus)
    if not waiting:
        return set()
    rows = await OrderLine.filter(order_id__in=waiting, backordered_quantity__gt=0) \
        .values("sku")
    return {row["sku"] for row in rows}


async def release_backorders(uow: UnitOfWork, skus: Iterable[str]) -> int:
    """Source again every order waiting for any of `skus`; returns how many got units."""
    waiting = await orders_waiting_for(skus)
    if not waiting:
        return 0
    served = 0
    for order in await lock_orders(waiting):
        if order.status == OrderStatus.CANCELLED:
            continue
        served += await _release(uow, order)
    return served


async def _release(uow: UnitOfWork, order: Order) -> int:
    lines = await OrderLine.filter(order_id=order.id, backordered_quantity__gt=0) \
        .order_by("position")
    if not lines:
        return 0
    wanted = [(line, line.backordered_quantity) for line in lines]
    decision = await resource_lines(uow, order, wanted, await rejected_by(lines))
    if not decision.allocations:
        return 0
    units = sum(a.quantity for a in decision.allocations)
    await record_event(uow, order, OrderEventType.BACKORDER_RELEASED,
                       f"{units} backordered units allocated from "
                       f"{', '.join(decision.node_codes)}", allocation_data(decision))
    return 1
