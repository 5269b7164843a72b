"""One broker listener per process, routing events to subscriber feeds.

- Duplicates (delivery is at least once) are dropped by outbox id.
- `stock.changed` marks SKUs dirty; once per window (50 ms by default) the hub reads
  stock ONCE for the dirty SKUs and every channel that has subscribers, and offers
  each (channel, SKU) total to that channel's feeds: 10,000 subscribers cost one read.
- `order.event` payloads go to the feeds of that order and to the dashboards' feeds.
- `stock.low` payloads go to the stock alert feeds, each filtering the nodes it follows.
- After the broker lost and regained its connection, the hub re-reads the outbox rows
  published meanwhile, so nothing published while it was deaf goes missing.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from oms import availability
from oms.clock import now
from oms.events.broker import RESUMED, Broker, Message
from oms.events.feeds import OrderFeed, OrderPayload, RecentIds, StockFeed, StockValue
from oms.events.relay import message_of
from oms.events.topics import (
    ORDER_EVENT,
    STOCK_CHANGED,
    STOCK_LOW,
    TOKEN_REVOKED,
    WEBHOOK_ENDPOINT_DISABLED,
)
from oms.models import Channel, OutboxEvent

log = logging.getLogger(__name__)

STOCK_WINDOW_SECONDS = 0.05
ORDER_QUEUE_SIZE = 256
RECENT_IDS = 50_000
CATCH_UP_SLACK = timedelta(seconds=10)
ALERT_TOPICS = (STOCK_LOW, WEBHOOK_ENDPOINT_DISABLED)
ALL = None  # the key of feeds that want every SKU of a channel, or every order


class Hub:
    def __init__(self, broker: Broker, *, stock_window: float = STOCK_WINDOW_SECONDS,
                 order_queue_size: int = ORDER_QUEUE_SIZE) -> None:
        self.broker = broker
        self.stock_window = stock_window
        self.order_queue_size = order_queue_size
        self._recent = RecentIds(RECENT_IDS)
        self._stock: dict[str, dict[str | None, set[StockFeed]]] = {}
        self._orders: dict[str | None, set[OrderFeed]] = {}
        self._alerts: dict[str, set[OrderFeed]] = {topic: set() for topic in ALERT_TOPICS}
        self._dirty_skus: set[str] = set()
        self._stock_due = asyncio.Event()
        self._background: set[asyncio.Task[None]] = set()
        self._revoked_tokens: set[str] = set()
        self._token_watchers: dict[str, set[Callable[[], None]]] = {}

    async def run(self) -> None:
        """Listen until cancelled (the runtime starts this once per process)."""
        self._spawn(self._publish_stock_forever())
        try:
            while True:
                try:
                    async for message in self.broker.listen():
                        self.dispatch(message)
                except Exception:  # a broken listener must not silence subscribers for good
                    log.exception("event hub listener failed; listening again")
                    lost_at = now()
                    await asyncio.sleep(1.0)
                    self._spawn(self._catch_up(lost_at, delay=1.0))
        finally:
            for task in self._background:
                task.cancel()

    def dispatch(self, message: Message) -> None:
        try:
            self._route(message)
        except Exception:  # one bad message must not silence every subscriber
            log.exception("event hub could not route %r", message)

    def _route(self, message: Message) -> None:
        topic, payload = message.get("topic"), message.get("payload") or {}
        if topic == RESUMED:
            self._spawn(self._catch_up(datetime.fromisoformat(payload["since"])))
            return
        event_id = message.get("id")
        if event_id is not None and self._recent.seen(int(event_id)):
            return
        if topic == STOCK_CHANGED:
            self._dirty_skus.update(payload.get("skus", ()))
            self._stock_due.set()
        elif topic == TOKEN_REVOKED:
            token_id = str(payload.get("token_id"))
            self._revoked_tokens.add(token_id)
            for callback in list(self._token_watchers.get(token_id, ())):
                callback()
        elif topic == ORDER_EVENT:
            feeds = self._orders.get(payload.get("order_id"), set()) | self._orders.get(ALL, set())
            position = message.get("position")
            for feed in feeds:
                feed.offer(payload, int(position) if position is not None else None)
        elif topic in ALERT_TOPICS:
            for feed in list(self._alerts.get(topic, ())):
                feed.offer(payload)

    def revoked(self, token_id: str) -> bool:
        """Whether the token was revoked while this process ran (open subscriptions then end)."""
        return token_id in self._revoked_tokens

    def watch_token(self, token_id: str, on_revoked: Callable[[], None]) -> Callable[[], None]:
        """Call `on_revoked` when the token is revoked (in any process); returns the unwatch."""
        watchers = self._token_watchers.setdefault(token_id, set())
        watchers.add(on_revoked)

        def unwatch() -> None:
            watchers.discard(on_revoked)
            if not watchers:
                self._token_watchers.pop(token_id, None)

        return unwatch

    @contextmanager
    def stock_feed(self, channel: str, skus: Iterable[str] | None) -> Iterator[StockFeed]:
        """Totals of `channel` while the block runs; every SKU when `skus` is None or empty."""
        feed = StockFeed(channel, frozenset(skus) if skus else None)
        keys: Iterable[str | None] = feed.skus or (ALL,)
        try:
            with _registered(self._stock.setdefault(channel, {}), keys, feed):
                yield feed
        finally:
            if not self._stock.get(channel):
                self._stock.pop(channel, None)

    @contextmanager
    def order_feed(self, order_id: str | None,
                   accepts: Callable[[OrderPayload], bool]) -> Iterator[OrderFeed]:
        """Events of one order (or of all orders when `order_id` is None) that `accepts` lets by."""
        feed = OrderFeed(order_id, accepts, self.order_queue_size, on_overflow=self._cut_off)
        with _registered(self._orders, (order_id,), feed):
            yield feed

    @contextmanager
    def alert_feed(self, accepts: Callable[[OrderPayload], bool],
                   topic: str = STOCK_LOW) -> Iterator[OrderFeed]:
        """Alert payloads of `topic` (`stock.low`, `webhook.endpoint_disabled`) that `accepts`
        lets by (a bounded queue, like an order feed)."""
        feeds = self._alerts[topic]
        feed = OrderFeed(None, accepts, self.order_queue_size, on_overflow=feeds.discard)
        feeds.add(feed)
        try:
            yield feed
        finally:
            feeds.discard(feed)

    def _cut_off(self, feed: OrderFeed) -> None:
        _unregister(self._orders, (feed.key,), feed)

    def feed_count(self) -> int:
        """How many subscribers this process serves now."""
        stock = {feed for by_sku in self._stock.values() for feeds in by_sku.values() for feed in feeds}
        return (len(stock) + sum(len(feeds) for feeds in self._orders.values())
                + sum(len(feeds) for feeds in self._alerts.values()))

    async def current_totals(self, channel: str, skus: Iterable[str]) -> dict[str, int]:
        """The promisable totals of `skus` in `channel` now."""
        asked = sorted(set(skus))
        channels = await Channel.filter(code=channel)
        totals = await availability.channel_totals(channels, asked)
        return {sku: total for (_, sku), total in totals.items()}

    async def opening_totals(self, feed: StockFeed, skus: Sequence[str]) -> list[StockValue]:
        """The totals of `skus` (of the feed, in the order given) read now, made the feed's
        baseline. The feed is registered before: a change committed before this read is in
        it, one committed after reaches the feed by a later read (its notice arrives after
        this read began); a value of a read begun earlier is older and the feed drops it."""
        started = time.monotonic()
        totals = await self.current_totals(feed.channel, skus)
        at = now()
        values = [StockValue(sku, feed.channel, totals.get(sku, 0), at, started) for sku in skus]
        feed.baseline(values)
        return values

    async def _publish_stock_forever(self) -> None:
        while True:
            await self._stock_due.wait()
            await asyncio.sleep(self.stock_window)
            self._stock_due.clear()
            skus, self._dirty_skus = self._dirty_skus, set()
            try:
                await self.publish_totals(skus)
            except Exception as exc:  # database unavailable: keep the SKUs, try again
                log.warning("event hub could not read stock (%s); retrying", exc)
                self._dirty_skus |= skus
                self._stock_due.set()
                await asyncio.sleep(1.0)

    async def publish_totals(self, skus: set[str]) -> None:
        """Read the totals of `skus` for every channel someone watches, and offer them."""
        started = time.monotonic()
        wanted = {
            channel: sorted(skus if ALL in by_sku else skus & by_sku.keys())
            for channel, by_sku in self._stock.items()
        }
        wanted = {channel: asked for channel, asked in wanted.items() if asked}
        if not wanted:
            return
        channels = await Channel.filter(code__in=list(wanted))
        asked_skus = sorted({sku for asked in wanted.values() for sku in asked})
        totals = await availability.channel_totals(channels, asked_skus)
        at = now()
        for channel, asked in wanted.items():
            by_sku = self._stock.get(channel, {})
            for sku in asked:
                if (channel, sku) not in totals:
                    continue
                value = StockValue(sku, channel, totals[(channel, sku)], at, started)
                for feed in by_sku.get(sku, set()) | by_sku.get(ALL, set()):
                    feed.offer(value)

    async def _catch_up(self, since: datetime, delay: float = 0.0) -> None:
        """Re-dispatch what the outbox holds since `since` (duplicates are dropped by id)."""
        await asyncio.sleep(delay)
        try:
            rows = await OutboxEvent.filter(
                Q(published_at=None) | Q(published_at__gte=since - CATCH_UP_SLACK)
            ).order_by("id")
        except Exception:
            log.exception("event hub could not catch up after the broker came back")
            return
        log.info("event hub catching up on %d outbox events since %s", len(rows), since)
        for row in rows:
            self.dispatch(message_of(row))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)


@contextmanager
def _registered(index: dict[Any, set[Any]], keys: Iterable[str | None], feed: object) -> Iterator[None]:
    keys = list(keys)
    for key in keys:
        index.setdefault(key, set()).add(feed)
    try:
        yield
    finally:
        _unregister(index, keys, feed)


def _unregister(index: dict[Any, set[Any]], keys: Iterable[str | None], feed: object) -> None:
    for key in keys:
        feeds = index.get(key)
        if feeds is not None:
            feeds.discard(feed)
            if not feeds:
                del index[key]
