"""What one subscriber holds between deliveries: always bounded, whatever the client's pace.

A `StockFeed` keeps at most one pending value per SKU (the latest), so a slow reader
never falls behind by more than one total per SKU. An `OrderFeed` keeps a bounded
queue of order events; when it overflows the feed is cut off and its reader gets
`SubscriberTooSlow` (it may resubscribe with `after` and replay from the history).
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

OrderPayload = dict[str, Any]


class SubscriberTooSlow(Exception):
    """An order feed overflowed: the subscriber read slower than events arrived."""


@dataclass(frozen=True)
class StockValue:
    sku: str
    channel: str
    available: int
    at: datetime
    read_from: float = 0.0
    "time.monotonic() when the read that found it began: of two reads, the later is newer."


class RecentIds:
    """The last `size` event ids seen, to drop duplicates (delivery is at least once)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._ids: OrderedDict[int, None] = OrderedDict()

    def seen(self, event_id: int) -> bool:
        """True if `event_id` was seen before; remembers it otherwise."""
        if event_id in self._ids:
            return True
        self._ids[event_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return False


class StockFeed:
    """Latest promisable totals of one channel, coalesced per SKU."""

    def __init__(self, channel: str, skus: frozenset[str] | None) -> None:
        self.channel = channel
        self.skus = skus
        self._pending: dict[str, StockValue] = {}
        self._last_sent: dict[str, int] = {}
        self._known_from: dict[str, float] = {}
        self._ready = asyncio.Event()

    def baseline(self, values: Iterable[StockValue]) -> None:
        """Totals the client is taken to know already (or was just sent): an unchanged
        total is not pushed, and a value read before them began is older and dropped."""
        for value in values:
            self._last_sent.setdefault(value.sku, value.available)
            self._known_from[value.sku] = value.read_from

    def offer(self, value: StockValue) -> None:
        if not self._fresh(value):
            return
        self._pending[value.sku] = value
        self._ready.set()

    def _fresh(self, value: StockValue) -> bool:
        return value.read_from >= self._known_from.get(value.sku, value.read_from)

    def _take(self) -> list[StockValue]:
        values = [v for v in self._pending.values()
                  if self._fresh(v) and self._last_sent.get(v.sku) != v.available]
        self._pending.clear()
        self._ready.clear()
        for value in values:
            self._last_sent[value.sku] = value.available
        return values

    async def __aiter__(self) -> AsyncIterator[StockValue]:
        while True:
            await self._ready.wait()
            for value in self._take():
                yield value


@dataclass(frozen=True)
class FeedItem:
    """An accepted order event and where it stands in the outbox's position order."""

    payload: OrderPayload
    position: int | None
    gap_free: bool
    "Every position between the feed's previous item and this one reached the feed, in order."


class OrderFeed:
    """Order events accepted by `accepts`, in a queue of at most `size` entries.

    `key` is the order id it follows, or None for a feed of every order (a dashboard).
    The feed watches the positions of every event offered, accepted or not, so its reader
    knows when none can be missing between two it receives (see `FeedItem.gap_free`).
    """

    def __init__(self, key: str | None, accepts: Callable[[OrderPayload], bool], size: int,
                 on_overflow: Callable[[OrderFeed], None]) -> None:
        self.key = key
        self.accepts = accepts
        self.size = size
        self.overflowed = False
        self._queue: deque[FeedItem] = deque()
        self._ready = asyncio.Event()
        self._on_overflow = on_overflow
        self._last_position: int | None = None
        self._in_order = False  # no item yet: what came before registration is unknown

    def offer(self, payload: OrderPayload, position: int | None = None) -> None:
        if self.overflowed:
            return
        self._follow(position)
        if not self.accepts(payload):
            return
        if len(self._queue) >= self.size:
            self.overflowed = True
            self._queue.clear()
            self._on_overflow(self)
        else:
            self._queue.append(FeedItem(payload, position, self._in_order))
            self._in_order = True
        self._ready.set()

    def _follow(self, position: int | None) -> None:
        last = self._last_position
        if position is None or last is None or position != last + 1:
            self._in_order = False
        if position is not None and (last is None or position > last):
            self._last_position = position

    async def __aiter__(self) -> AsyncIterator[FeedItem]:
        while True:
            await self._ready.wait()
            self._ready.clear()
            if self.overflowed:
                raise SubscriberTooSlow(
                    f"subscriber too slow: more than {self.size} events waited; "
                    "resubscribe with `after` set to the last event id received"
                )
            while self._queue and not self.overflowed:
                yield self._queue.popleft()
