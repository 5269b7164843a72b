"""Which orders a set of KPIs is about, as the caller may see them.

A window [start, end) of placement times (UTC; a time without an offset is taken as UTC)
of at most MAX_WINDOW, on one channel or on every channel the token may see; node loads
only for the nodes a node-limited token is limited to.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from oms.auth import Principal
from oms.errors import DomainError, ErrorCode, Problems
from oms.models import Channel, Node

MAX_WINDOW = timedelta(days=366)
"A year (a leap one included): longer windows are refused rather than scanned."


@dataclass(frozen=True)
class MetricsScope:
    start: datetime
    end: datetime
    channel: str | None
    "The channel asked for (None: every channel the caller may see)."
    channel_ids: tuple[int, ...] | None
    "The orders' channels; None: every channel."
    node_ids: tuple[int, ...] | None
    "The nodes whose loads may be shown; None: every node."


async def metrics_scope(principal: Principal, start: datetime, end: datetime,
                        channel: str | None) -> MetricsScope:
    """The scope of `orderMetrics`: BAD_USER_INPUT for an empty, reversed or too long window,
    UNKNOWN_CHANNEL for a channel that does not exist or lies outside the token's limits."""
    start, end = _utc(start), _utc(end)
    _check_window(start, end)
    return MetricsScope(start, end, channel, await _channel_ids(principal, channel),
                        await _node_ids(principal))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _check_window(start: datetime, end: datetime) -> None:
    problems = Problems()
    if end <= start:
        problems.add(ErrorCode.BAD_USER_INPUT, "`to` must come after `from`", "to")
    elif end - start > MAX_WINDOW:
        problems.add(ErrorCode.BAD_USER_INPUT,
                     f"the window may span at most {MAX_WINDOW.days} days", "to")
    problems.raise_if_any()


async def _channel_ids(principal: Principal, code: str | None) -> tuple[int, ...] | None:
    if code is None:
        if not principal.channels:
            return None
        mine = await Channel.filter(code__in=sorted(principal.channels)).only("id")
        return tuple(sorted(channel.id for channel in mine))
    found = await Channel.get_or_none(code=code)
    if found is None or not principal.sees_channel(code):
        raise DomainError.of(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {code!r}", "channel")
    return (found.id,)


async def _node_ids(principal: Principal) -> tuple[int, ...] | None:
    if not principal.nodes:
        return None
    mine = await Node.filter(code__in=sorted(principal.nodes)).only("id")
    return tuple(sorted(node.id for node in mine))
