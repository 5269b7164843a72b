"""The row locks writers take, each kind in one fixed order, so concurrent writers never
deadlock and nobody changes a row another transaction is deciding on.

- Orders: oldest first, (created_at, id). Every change to an order, its fulfillments,
  payments and returns locks the order row first (`lock_order_row`, `lock_orders`).
- Companies (credit held by orders on account): one row at a time, after the order row
  and the stock positions a writer locks, before the order number counter
  (`lock_company`).
- Stock positions: (sku, node id), SKU codes compared by code point (`COLLATE "C"` on
  PostgreSQL, plain `str` order in Python). `lock_positions` locks a set in one statement;
  the conditional updates of `oms.inventory` visit rows in `in_stock_order`.

Nothing else in `oms` takes a row lock on these tables (`tests/test_architecture.py`
checks it); the outbox relay's and the webhook sender's (`oms.webhooks.claims`) `SKIP LOCKED`
claims are queues, not locks on state.
On SQLite, which runs one writing transaction at a time, the locks are no-ops.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any, TypeVar

from oms import inventory_bulk as bulk
from oms.inventory_bulk import Key, Level
from oms.models import Company, Order

T = TypeVar("T")


async def lock_orders(order_ids: Iterable[object]) -> list[Order]:
    """The orders with these ids, locked until commit, oldest first."""
    wanted = list(set(order_ids))
    if not wanted:
        return []
    return list(await Order.filter(id__in=wanted).order_by("created_at", "id").select_for_update())


async def lock_order_row(order_id: object) -> Order | None:
    """One order row, locked until commit (None when there is no such order)."""
    found = await lock_orders([order_id])
    return found[0] if found else None


async def lock_company(company_id: int) -> Company:
    """One company row, locked until commit (its credit is being checked or moved)."""
    return await Company.filter(id=company_id).select_for_update().get()


def in_stock_order(items: Iterable[T], key: Callable[[T], Key]) -> list[T]:
    """`items` sorted by the (sku, node id) of the stock row each one touches."""
    return sorted(items, key=key)


async def lock_positions(conn: Any, keys: Collection[Key],
                         also_skus: Collection[str] = ()) -> dict[Key, Level]:
    """Lock the positions of `keys` (and every position of `also_skus`) in stock order,
    creating those missing; returns the levels of `keys` (`oms.inventory_bulk`)."""
    return await bulk.lock_or_create(conn, keys, also_skus)


__all__ = ["in_stock_order", "lock_company", "lock_order_row", "lock_orders", "lock_positions"]
