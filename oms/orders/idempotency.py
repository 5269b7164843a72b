"""A retried placement returns the first order, also when the retries race each other.

On PostgreSQL the key is serialised with a transaction-scoped advisory lock: the
second caller waits until the first commits, then finds its order. SQLite runs
one transaction at a time, so it needs nothing more. The unique index on
`order.idempotency_key` stays the last line of defence.
"""
from __future__ import annotations

from tortoise import connections

from oms.models import Order


async def claim(key: str) -> Order | None:
    """Serialise callers with this key; the order an earlier call already made, if any."""
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [key])
    return await Order.get_or_none(idempotency_key=key)
