"""The hub and its feeds without a server: dedupe, routing, bounded queues, coalescing."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from oms.clock import now
from oms.events.broker import InProcessBroker
from oms.events.feeds import FeedItem, OrderFeed, RecentIds, StockFeed, StockValue, SubscriberTooSlow
from oms.events.hub import Hub
from oms.events.topics import ORDER_EVENT, order_event
from oms.models import OutboxEvent
from tests.servers import eventually

AT = datetime(2026, 1, 1, tzinfo=UTC)


def value(sku: str, available: int) -> StockValue:
    return StockValue(sku, "web", available, AT)


async def take(feed, count: int) -> list:
    """The next `count` values of a feed (an order feed's: their payloads)."""
    items = []
    async for item in feed:
        items.append(item.payload if isinstance(item, FeedItem) else item)
        if len(items) == count:
            return items
    return items


def test_recent_ids_forget_the_oldest_beyond_their_size():
    recent = RecentIds(size=2)
    assert [recent.seen(i) for i in (1, 2, 1)] == [False, False, True]
    recent.seen(3)
    assert recent.seen(1) is False  # pushed out by 2 and 3


async def test_stock_feed_keeps_only_the_latest_total_per_sku():
    feed = StockFeed("web", None)
    for available in (5, 6, 7):
        feed.offer(value("A", available))
    feed.offer(value("B", 1))
    got = await asyncio.wait_for(take(feed, 2), 1)
    assert sorted((v.sku, v.available) for v in got) == [("A", 7), ("B", 1)]


async def test_stock_feed_does_not_repeat_a_total_the_client_has():
    feed = StockFeed("web", frozenset({"A"}))
    feed.baseline([value("A", 4)])
    feed.offer(value("A", 4))
    feed.offer(value("A", 4))
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(take(feed, 1), 0.1)
    feed.offer(value("A", 3))
    assert [v.available for v in await asyncio.wait_for(take(feed, 1), 1)] == [3]


async def test_order_feed_overflow_cuts_the_reader_off():
    cut: list[OrderFeed] = []
    feed = OrderFeed(None, lambda _: True, size=2, on_overflow=cut.append)
    for event_id in range(3):
        feed.offer({"event_id": event_id})
    assert cut == [feed]
    with pytest.raises(SubscriberTooSlow, match="subscriber too slow"):
        await asyncio.wait_for(take(feed, 1), 1)


async def test_order_feed_reads_in_order_within_its_bound():
    feed = OrderFeed(None, lambda p: p["event_id"] % 2 == 0, size=10, on_overflow=lambda _: None)
    for event_id in range(6):
        feed.offer({"event_id": event_id})
    got = await asyncio.wait_for(take(feed, 3), 1)
    assert [p["event_id"] for p in got] == [0, 2, 4]


def message(outbox_id: int, order_id: str, event_id: int, channel: str = "web") -> dict:
    payload = order_event(order_id, event_id, channel, None, "X", "CREATED", None, None, now())
    return {"id": outbox_id, "topic": ORDER_EVENT, "payload": payload}


async def test_hub_drops_duplicates_and_routes_by_order():
    hub = Hub(InProcessBroker())
    with hub.order_feed("o-1", lambda _: True) as one, hub.order_feed(None, lambda _: True) as every:
        for msg in (message(1, "o-1", 10), message(1, "o-1", 10), message(2, "o-2", 11)):
            hub.dispatch(msg)
        assert [p["event_id"] for p in await asyncio.wait_for(take(one, 1), 1)] == [10]
        assert [p["event_id"] for p in await asyncio.wait_for(take(every, 2), 1)] == [10, 11]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(take(one, 1), 0.1)
    assert hub.feed_count() == 0


async def test_hub_survives_a_malformed_message():
    hub = Hub(InProcessBroker())
    with hub.order_feed(None, lambda _: True) as every:
        hub.dispatch({"id": "not-a-number", "topic": ORDER_EVENT})
        hub.dispatch(message(5, "o-1", 12))
        assert [p["event_id"] for p in await asyncio.wait_for(take(every, 1), 1)] == [12]


async def test_hub_listens_to_its_broker():
    broker = InProcessBroker()
    hub = Hub(broker)
    task = asyncio.create_task(hub.run())
    try:
        with hub.order_feed(None, lambda _: True) as every:
            await eventually(lambda: broker.listener_count() == 1)
            await broker.publish([message(7, "o-1", 13), message(7, "o-1", 13)])
            assert [p["event_id"] for p in await asyncio.wait_for(take(every, 1), 1)] == [13]
    finally:
        task.cancel()


class BrokenOnceBroker(InProcessBroker):
    """Its first listener fails at once; later ones work."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    async def listen(self):
        if not self.failed:
            self.failed = True
            raise ConnectionError("listener lost")
        async for message in super().listen():
            yield message


async def test_hub_listens_again_and_catches_up_from_the_outbox():
    hub = Hub(BrokenOnceBroker())
    task = asyncio.create_task(hub.run())
    try:
        with hub.order_feed(None, lambda _: True) as every:
            payload = order_event("o-1", 21, "web", None, "X", "CREATED", None, None, now())
            await OutboxEvent.create(topic=ORDER_EVENT, payload=payload, published_at=now())
            got = await asyncio.wait_for(take(every, 1), 5)
        assert [p["event_id"] for p in got] == [21]
    finally:
        task.cancel()


async def test_stock_feed_drops_a_value_read_before_its_baseline():
    feed = StockFeed("web", frozenset({"A"}))
    feed.offer(StockValue("A", "web", 9, AT, read_from=1.0))  # in flight while the baseline is read
    feed.baseline([StockValue("A", "web", 10, AT, read_from=2.0)])
    feed.offer(StockValue("A", "web", 8, AT, read_from=1.5))  # an older read, offered late
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(take(feed, 1), 0.1)
    feed.offer(StockValue("A", "web", 11, AT, read_from=3.0))
    assert [v.available for v in await asyncio.wait_for(take(feed, 1), 1)] == [11]
