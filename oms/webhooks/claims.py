"""Claiming deliveries to send: each process takes due ones with one statement, so no two
processes send the same delivery, and only the oldest open delivery of each endpoint is
ever due (one in flight per endpoint, sent in order).

A claim is a token and a deadline (`claimed_until`): PostgreSQL picks the rows with
`FOR UPDATE SKIP LOCKED` (a queue, like the outbox relay's; not a lock on state, which
`oms.locks` keeps), SQLite runs one writer at a time. A process that dies mid-delivery
leaves its claim to lapse, and the delivery is sent again with the same event id (at least
once: receivers de-duplicate on OMS-Webhook-Id); one that stops cleanly releases its claims.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

from tortoise import connections

from oms.clock import now
from oms.db import is_postgres
from oms.models import WebhookDelivery

OPEN = "('PENDING', 'RETRYING')"


def _claim_sql(postgres: bool) -> str:
    claim, until, at, limit = ("$1", "$2", "$3", "$4") if postgres else ("?", "?", "?", "?")
    lock = 'FOR UPDATE OF d SKIP LOCKED' if postgres else ""
    # SQLite binds each ? once, so "now" is given twice there.
    again = at if postgres else "?"
    return f'''
UPDATE "webhook_delivery" SET "claim" = {claim}, "claimed_until" = {until}
WHERE "id" IN (
  SELECT d."id" FROM "webhook_delivery" d
  JOIN "webhook_endpoint" e ON e."id" = d."endpoint_id"
  WHERE e."active" AND d."status" IN {OPEN} AND d."next_attempt_at" <= {at}
    AND (d."claimed_until" IS NULL OR d."claimed_until" < {again})
    AND d."id" = (SELECT MIN(o."id") FROM "webhook_delivery" o
                  WHERE o."endpoint_id" = d."endpoint_id" AND o."status" IN {OPEN})
  ORDER BY d."next_attempt_at", d."id" LIMIT {limit} {lock})
RETURNING "id"'''


async def claim_due(limit: int, hold: timedelta) -> tuple[str, list[WebhookDelivery]]:
    """Claim up to `limit` due deliveries for `hold`; the claim token and the deliveries
    (with their endpoints), oldest due first."""
    token = str(uuid.uuid4())
    if limit < 1:
        return token, []
    conn = connections.get("default")
    at = now()
    postgres = is_postgres(conn)
    values: list[object] = [token, at + hold, at, limit] if postgres else \
        [token, at + hold, at, at, limit]
    rows = await conn.execute_query_dict(_claim_sql(postgres), values)
    if not rows:
        return token, []
    claimed = await WebhookDelivery.filter(id__in=[r["id"] for r in rows], claim=token) \
        .select_related("endpoint").order_by("next_attempt_at", "id")
    return token, list(claimed)


async def release(token: str, ids: list[int]) -> None:
    """Give up claims not acted on (a clean stop): due again at once, in any process."""
    if ids:
        await WebhookDelivery.filter(id__in=ids, claim=token).update(claim=None,
                                                                     claimed_until=None)
