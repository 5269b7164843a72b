"""Nothing is lost when the broker is down, nothing arrives twice, and processes share events.

- relay pointed at an unreachable Redis: events wait in the outbox, then go out once;
- our own redis-server stopped and restarted under a running server: the same, with the
  hub's listener reconnecting and catching up from the outbox;
- two server processes on PostgreSQL + Redis: a change served by one reaches a
  subscriber connected to the other (needs OMS_TEST_DATABASE_URL and OMS_TEST_REDIS_URL).
"""
from __future__ import annotations

import asyncio
import os
from dataclasses import replace

import pytest

from oms.events.broker import RedisBroker
from oms.models import OutboxEvent
from tests.helpers import ADJUST, channel, stock
from tests.order_helpers import network, place
from tests.servers import (
    PrivateRedis,
    eventually,
    free_port,
    live_server,
    spawned_server,
    ws_session,
)

STOCK_UPDATES = """
subscription($channel: String!, $skus: [String!]) {
  stockUpdates(channel: $channel, skus: $skus) { sku channel available }
}"""
ORDER_EVENTS = """
subscription { orderEvents { event { id type } order { id number } } }"""


@pytest.fixture
async def server(database, admin_token):
    async with live_server(database, admin_token) as running:
        yield running


async def adjust(api, sku: str, delta: int) -> None:
    data = await api(ADJUST, {"adjustments": [{"sku": sku, "nodeCode": "MIL", "delta": delta}]})
    assert data["adjustInventory"]["userErrors"] == [], data


async def given_shop(server) -> None:
    await network(server.api, ("MIL",))
    await stock(server.api, ("A", "MIL", 10), ("B", "MIL", 10))
    await server.settle()


def totals(results: list[dict]) -> list[tuple[str, int]]:
    return [(r["stockUpdates"]["sku"], r["stockUpdates"]["available"]) for r in results]


async def unpublished() -> int:
    return await OutboxEvent.filter(published_at=None).count()


async def test_events_wait_in_the_outbox_while_the_broker_is_unreachable(server):
    await given_shop(server)
    relay = server.runtime.relay
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(STOCK_UPDATES, {"channel": "web", "skus": ["A", "B"]})
        await server.wait_for_feeds(1)
        working, relay.broker = relay.broker, RedisBroker(f"redis://127.0.0.1:{free_port()}/0")
        for _ in range(3):
            await adjust(server.api, "A", 1)
        await adjust(server.api, "B", 2)
        await asyncio.sleep(1.5)
        assert await sub.drain(0.2) == []
        assert await unpublished() == 4
        relay.broker = working
        relay.wake()
        received = totals(await sub.drain(1.5))
    assert sorted(received) == [("A", 13), ("B", 12)]
    assert await unpublished() == 0


@pytest.mark.skipif(PrivateRedis.BINARY is None, reason="needs redis-server")
async def test_redis_restart_loses_nothing_and_duplicates_nothing(database, admin_token):
    redis = PrivateRedis()
    await redis.start()
    try:
        settings = replace(database, redis_url=redis.url)
        async with live_server(settings, admin_token) as server:
            await given_shop(server)
            await restart_redis_under_subscribers(server, redis)
    finally:
        await redis.stop()


async def restart_redis_under_subscribers(server, redis: PrivateRedis) -> None:
    async with ws_session(server.ws_url, server.api.token) as ws:
        stock_sub = ws.subscribe(STOCK_UPDATES, {"channel": "web", "skus": ["A", "B"]})
        orders_sub = ws.subscribe(ORDER_EVENTS)
        await server.wait_for_feeds(2)
        await redis.stop()
        await adjust(server.api, "A", 5)
        order = await place(server.api, ("B", 2))
        await adjust(server.api, "A", -1)
        await asyncio.sleep(1.0)
        assert await unpublished() >= 4  # waiting in the outbox
        await redis.start()
        await eventually(lambda: _none_unpublished(), within=15)
        stock_seen = totals(await stock_sub.drain(2.0))
        events_seen = [r["orderEvents"] for r in await orders_sub.drain(0.5)]
    expected = [e["id"] for e in order["events"]]
    assert [e["event"]["id"] for e in events_seen] == expected  # each once, in order
    assert {e["order"]["number"] for e in events_seen} == {order["number"]}
    assert sorted(stock_seen) == [("A", 14), ("B", 8)]


async def _none_unpublished() -> bool:
    return await unpublished() == 0


needs_shared_stack = pytest.mark.skipif(
    not (os.environ.get("OMS_TEST_DATABASE_URL") and os.environ.get("OMS_TEST_REDIS_URL")),
    reason="needs OMS_TEST_DATABASE_URL (PostgreSQL) and OMS_TEST_REDIS_URL",
)


@needs_shared_stack
async def test_a_change_on_one_process_reaches_a_subscriber_on_another(database, admin_token):
    async with spawned_server(database, admin_token) as a, \
            spawned_server(database, admin_token) as b:
        await network(a.api, ("MIL",))
        await channel(a.api, "marketplace", type="MARKETPLACE")
        await stock(a.api, ("A", "MIL", 10))
        async with ws_session(b.ws_url, admin_token) as ws:
            orders_sub = ws.subscribe(ORDER_EVENTS)
            stock_sub = ws.subscribe(STOCK_UPDATES, {"channel": "web", "skus": ["A"]})
            await wait_until_listening(a, stock_sub)
            order = await place(a.api, ("A", 3))
            created = (await orders_sub.next(10))["orderEvents"]
            assert created["event"]["type"] == "ORDER_CREATED"
            assert created["order"]["number"] == order["number"]
            seen = totals(await stock_sub.drain(1.0))
    assert seen[-1] == ("A", 7)  # 10 on hand, 3 now reserved by the order


async def wait_until_listening(server, sub) -> None:
    """Nudge stock on `server` until the subscriber (elsewhere) hears it, then set it back."""
    for attempt in range(50):
        await stock(server.api, ("A", "MIL", 100 + attempt))
        try:
            await sub.next(0.3)
        except TimeoutError:
            continue
        await stock(server.api, ("A", "MIL", 10))
        assert totals(await sub.drain(1.0))[-1] == ("A", 10)
        return
    raise AssertionError("the other process never heard the change")
