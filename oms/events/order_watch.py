"""Following orders as they change: which events a caller may see, and the history to replay.

The reads wait out a database outage (`db.patiently`): a subscription is long-lived, it
carries on once the database is back instead of ending with an error.
"""
from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

from oms import db
from oms.auth import Principal
from oms.enums import OrderStatus
from oms.errors import DomainError, ErrorCode
from oms.events.feeds import OrderPayload
from oms.events.topics import ORDER_EVENT
from oms.models import OrderEvent, OutboxEvent, OutboxSequence

REPLAY_BATCH = 500

EventFilter = Callable[[OrderPayload], bool]


def event_filter(principal: Principal, channels: frozenset[str]) -> EventFilter:
    """Which `order.event` payloads go to this caller: its channels (narrowed to `channels`
    when given) and, for a customer token, only its own orders, for a company's token only
    its company's."""
    customer_ref = principal.customer_ref if principal.own_orders_only else None

    def accepts(payload: OrderPayload) -> bool:
        channel = payload.get("channel")
        if channels and channel not in channels:
            return False
        if not principal.sees_channel(str(channel)):
            return False
        if principal.company_code is not None and payload.get("company_id") != principal.company_id:
            return False
        return customer_ref is None or payload.get("customer_ref") == customer_ref

    return accepts


def parse_event_id(raw: str | None, field: str = "after") -> int | None:
    """An event id given by a client (None stays None); INVALID_INPUT if not one."""
    if raw is None:
        return None
    try:
        value = int(str(raw))
    except ValueError:
        value = -1
    if value < 0:
        raise DomainError.of(ErrorCode.INVALID_INPUT, f"{raw!r} is not an event id", field)
    return value


async def events_between(order_id: str, after: int, upto: int | None = None) -> list[OrderEvent]:
    """The order's events with after < id <= upto (no upper bound when None), oldest first."""
    query = OrderEvent.filter(order_id=order_id, id__gt=after)
    if upto is not None:
        query = query.filter(id__lte=upto)
    return await db.patiently(lambda: query.order_by("id"))


def event_of(payload: OrderPayload) -> OrderEvent | None:
    """The event an `order.event` payload carries (not read back), or None for a payload
    written before payloads carried whole events."""
    if "at" not in payload:
        return None
    return OrderEvent(id=int(payload["event_id"]), order_id=payload["order_id"],
                      type=payload["type"], status=OrderStatus(payload["status"]),
                      message=payload.get("message"), data=payload.get("data"),
                      at=datetime.fromisoformat(payload["at"]))


async def events_of(payloads: list[OrderPayload]) -> list[OrderEvent | None]:
    """The events of `payloads`, in their order (None: no longer there); the events of old
    payloads, which did not carry them, read in one query."""
    carried = [event_of(payload) for payload in payloads]
    missing = [int(p["event_id"]) for p, e in zip(payloads, carried, strict=True) if e is None]
    read = {row.id: row for row in await db.patiently(
        lambda: OrderEvent.filter(id__in=missing))} if missing else {}
    return [e if e is not None else read.get(int(p["event_id"]))
            for p, e in zip(payloads, carried, strict=True)]


async def start_cursor() -> int:
    """Where a feed that starts now begins: after the last position handed out, or before
    the first one not yet published (a relay died before publishing it: it goes out late,
    and a feed subscribed meanwhile must still get it)."""
    sequence = await db.patiently(lambda: OutboxSequence.get_or_none(id=1))
    pending = await db.patiently(lambda: OutboxEvent.filter(
        published_at=None, position__isnull=False).order_by("position").only("position").first())
    last = int(sequence.last_position) if sequence is not None else 0
    if pending is not None and pending.position is not None:
        return min(last, int(pending.position) - 1)
    return last


async def check_cursor(after: int) -> None:
    """CURSOR_EXPIRED when events after `after` were pruned from the outbox already."""
    oldest = await db.patiently(lambda: OutboxEvent.filter(position__isnull=False)
                                .order_by("position").only("position").first())
    if oldest is not None and oldest.position is not None and oldest.position > after + 1:
        raise DomainError.of(ErrorCode.CURSOR_EXPIRED, (
            f"events after cursor {after} are no longer kept (the feed replays about a day): "
            "read the orders, then subscribe without `after`"), "after")


@dataclass(frozen=True)
class Replayed:
    """A batch of a replay: the events let by, with their positions, and the last position
    the batch looked at (let by or not)."""

    events: list[tuple[int, OrderEvent]]
    covered: int


async def replay(accepts: EventFilter, after: int,
                 upto: int | None = None) -> AsyncIterator[Replayed]:
    """The events with after < position <= upto (no bound when None) that `accepts` lets by,
    oldest first, in batches."""
    while True:
        rows = await db.patiently(functools.partial(_page, after, upto))
        if not rows:
            return
        wanted = [row for row in rows if accepts(row.payload)]
        events = await events_of([row.payload for row in wanted])
        after = int(rows[-1].position or after)
        yield Replayed([(int(row.position or 0), event)
                        for row, event in zip(wanted, events, strict=True) if event is not None],
                       after)
        if len(rows) < REPLAY_BATCH:
            return


async def _page(after: int, upto: int | None) -> list[OutboxEvent]:
    query = OutboxEvent.filter(topic=ORDER_EVENT, position__gt=after)
    if upto is not None:
        query = query.filter(position__lte=upto)
    return await query.order_by("position").limit(REPLAY_BATCH).only("position", "payload")
