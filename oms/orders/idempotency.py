"""A retried placement returns the first order, also when the retries race each other;
the same key sent with a different request is refused (IDEMPOTENCY_KEY_REUSED), as
Stripe does: the key names one request, not one slot.

On PostgreSQL the key is serialised with a transaction-scoped advisory lock: the
second caller waits until the first commits, then finds its order. SQLite runs
one transaction at a time, so it needs nothing more. The unique index on
`order.idempotency_key` stays the last line of defence.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json

from tortoise import connections

from oms.errors import DomainError, ErrorCode
from oms.models import Order
from oms.orders.inputs import OrderSpec
from oms.text import fits


def fingerprint(spec: OrderSpec) -> str:
    """What identifies the request behind a key: everything it asks, but the key."""
    asked = dataclasses.asdict(spec)
    asked.pop("idempotency_key", None)
    for later in ("company_code", "purchase_order_number", "shipping_service_code"):
        if asked.get(later) is None:  # keys stored before these fields existed still match
            asked.pop(later, None)
    canonical = json.dumps(asked, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def claim(key: str, spec: OrderSpec) -> Order | None:
    """Serialise callers with this key; the order an earlier call of the same request already
    made, if any (IDEMPOTENCY_KEY_REUSED when the key came with another request)."""
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [key])
    earlier = await Order.get_or_none(idempotency_key=key) \
        if fits(key, Order, "idempotency_key") else None  # a longer key is refused as input
    if earlier is not None and earlier.idempotency_fingerprint not in (None, fingerprint(spec)):
        raise DomainError.of(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                             f"idempotency key {key!r} was used for another request",
                             "idempotencyKey")
    return earlier
