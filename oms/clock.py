"""The time the domain reads: the system clock, or one a test sets and moves.

Everything in `oms` that compares with "now" (holds expiring, tokens expiring,
effective dates, capacity per day) calls `now()`, and so do the moments the KPIs are
measured from (an order placed, a fulfillment created, a history event), so a test can
move time with `use(ManualClock(...))` instead of sleeping.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """Stands still until moved; starts at the system time unless told otherwise."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


_current: Clock = SystemClock()


def now() -> datetime:
    return _current.now()


@contextmanager
def use(clock: Clock) -> Iterator[Clock]:
    """Read time from `clock` while the block runs (tests)."""
    global _current
    previous, _current = _current, clock
    try:
        yield clock
    finally:
        _current = previous
