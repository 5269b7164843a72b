"""The outbox relay: publishes committed events, marks them sent, retries while the broker is down."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Protocol

from tortoise.transactions import in_transaction

from oms import db, telemetry
from oms.clock import now
from oms.events.broker import Broker, Message
from oms.events.wakeup import Wakeup
from oms.models import OutboxEvent

log = logging.getLogger(__name__)


class FanOut(Protocol):
    """Work done on each published batch in the relay's own transaction (webhook deliveries:
    `oms.webhooks`), and woken after it committed when it did something."""

    async def fan_out(self, rows: Sequence[OutboxEvent]) -> int: ...

    def wake(self) -> None: ...


class OutboxRelay:
    def __init__(self, broker: Broker, poll_seconds: float = 1.0, batch: int = 500,
                 keep_published: timedelta = timedelta(days=1),
                 fan_out: FanOut | None = None) -> None:
        self.broker = broker
        self.fan_out = fan_out
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.keep_published = keep_published
        self._wakeup = Wakeup()

    def wake(self) -> None:
        """Called after a commit that wrote events: publish now rather than at the next poll."""
        self._wakeup.wake()

    async def run(self) -> None:
        backoff = self.poll_seconds
        while True:
            await self._wakeup.pause(backoff)
            try:
                await self.drain()
                backoff = self.poll_seconds
            except Exception as exc:  # broker or database down: keep the events, try again
                log.warning("outbox relay could not publish (%s: %s); retrying",
                            type(exc).__name__, exc)
                backoff = min(5.0, backoff * 2)

    async def drain(self) -> int:
        """Publish every pending event; returns how many went out."""
        sent = 0
        while True:
            # Shielded: a shutdown must not cancel it half-way into its transaction (with
            # SQLite that leaves Tortoise's transaction lock taken for good).
            count = await asyncio.shield(self._publish_batch())
            sent += count
            if count < self.batch:
                return sent

    async def _publish_batch(self) -> int:
        await position_batch(self.batch)
        async with in_transaction():
            rows = await (
                OutboxEvent.filter(published_at=None, position__isnull=False)
                .order_by("position")
                .limit(self.batch)
                .select_for_update(skip_locked=True)
            )
            if not rows:
                return 0
            await self.broker.publish([message_of(row) for row in rows])
            await OutboxEvent.filter(id__in=[r.id for r in rows]).update(published_at=now())
            fanned = await self.fan_out.fan_out(rows) if self.fan_out else 0
        telemetry.published(row.topic for row in rows)
        if fanned and self.fan_out:
            self.fan_out.wake()
        return len(rows)

    async def prune(self) -> int:
        """Delete events published longer ago than `keep_published`."""
        return await OutboxEvent.filter(published_at__lt=now() - self.keep_published).delete()

    async def prune_forever(self, every_seconds: float = 3600) -> None:
        while True:
            try:
                await self.prune()
            except Exception as exc:  # the database may be away for a while: try next time
                log.warning("outbox prune failed (%s)", exc)
            await asyncio.sleep(every_seconds)


async def backlog() -> tuple[int, float]:
    """How many events wait to be published, and the age in seconds of the oldest (0: none)."""
    pending = OutboxEvent.filter(published_at=None)
    oldest = await pending.order_by("id").only("id", "created_at").first()
    if oldest is None:
        return 0, 0.0
    return await pending.count(), max(0.0, (now() - oldest.created_at).total_seconds())


async def position_batch(size: int) -> None:
    """Give up to `size` committed events without one a position, in their own transaction.

    It bumps the one sequence row: a second relay waits on that row until the first commits,
    so positions become visible in the order they were handed out, densely (a rolled-back
    transaction hands out nothing). An event is positioned before it is published, by a
    later transaction: a reader that listens, then reads the positions after its cursor,
    misses none. A relay that dies before publishing leaves positioned events that the next
    publish (of any process) takes."""
    async with in_transaction() as conn:
        rows = await (
            OutboxEvent.filter(published_at=None, position=None)
            .order_by("id")
            .limit(size)
            .select_for_update(skip_locked=True)
        )
        if not rows:
            return
        first = await _take_positions(conn, len(rows))
        for offset, row in enumerate(rows):
            row.position = first + offset
        await _store_positions(conn, rows)


async def _take_positions(conn: Any, count: int) -> int:
    """Reserve `count` positions on the sequence row (created on first use); the first."""
    mark = "$1" if db.is_postgres(conn) else "?"
    rows = await conn.execute_query_dict(
        "INSERT INTO outbox_sequence (id, last_position) VALUES (1, " + mark + ") "
        "ON CONFLICT (id) DO UPDATE SET last_position = "
        "outbox_sequence.last_position + excluded.last_position RETURNING last_position",
        [count],
    )
    return int(rows[0]["last_position"]) - count + 1


async def _store_positions(conn: Any, rows: list[OutboxEvent]) -> None:
    if db.is_postgres(conn):
        await conn.execute_query(
            "UPDATE outbox_event AS o SET position = v.p "
            "FROM unnest($1::bigint[], $2::bigint[]) AS v(id, p) WHERE o.id = v.id",
            [[r.id for r in rows], [r.position for r in rows]],
        )
    else:
        await conn.execute_many("UPDATE outbox_event SET position = ? WHERE id = ?",
                                [[r.position, r.id] for r in rows])


def message_of(row: OutboxEvent) -> Message:
    return {"id": row.id, "topic": row.topic, "payload": row.payload, "position": row.position}
