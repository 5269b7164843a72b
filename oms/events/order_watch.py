"""Following orders as they change: which events a caller may see, and the history to replay.

The reads wait out a database outage (`db.patiently`): a subscription is long-lived, it
carries on once the database is back instead of ending with an error.
"""
from __future__ import annotations

from collections.abc import Callable

from oms import db
from oms.auth import Principal
from oms.errors import DomainError, ErrorCode
from oms.events.feeds import OrderPayload
from oms.models import OrderEvent

EventFilter = Callable[[OrderPayload], bool]


def event_filter(principal: Principal, channels: frozenset[str]) -> EventFilter:
    """Which `order.event` payloads go to this caller: its channels (narrowed to `channels`
    when given) and, for a customer token, only its own orders."""
    customer_ref = principal.customer_ref if principal.own_orders_only else None

    def accepts(payload: OrderPayload) -> bool:
        channel = payload.get("channel")
        if channels and channel not in channels:
            return False
        if not principal.sees_channel(str(channel)):
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


async def event_by_id(event_id: int) -> OrderEvent | None:
    return await db.patiently(lambda: OrderEvent.get_or_none(id=event_id))
