"""orderEvents(after:): a dashboard that reconnects gets every event it missed, in commit order,
then the live ones, none twice; out-of-order deliveries are put back in order from the outbox."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from gql.transport.exceptions import TransportQueryError
from tortoise.transactions import in_transaction

from oms.events.broker import Broker, Message
from oms.events.feeds import OrderFeed
from oms.events.relay import OutboxRelay
from oms.events.topics import ORDER_EVENT
from oms.models import OutboxEvent
from tests.helpers import channel
from tests.order_helpers import place
from tests.servers import live_server, ws_session
from tests.test_realtime_orders import given_shop, override


@pytest.fixture
async def server(database, admin_token):
    async with live_server(database, admin_token) as running:
        yield running


FEED = """
subscription($channels: [String!], $after: String) {
  orderEvents(channels: $channels, after: $after) {
    cursor event { id type } order { id channel { code } }
  }
}"""


def seen(updates: list[dict]) -> list[tuple[int, int, str]]:
    return [(int(u["orderEvents"]["cursor"]), int(u["orderEvents"]["event"]["id"]),
             u["orderEvents"]["order"]["id"]) for u in updates]


async def events_of(api, *orders: dict) -> list[int]:
    ids: list[int] = []
    for order in orders:
        data = await api("query($id: ID!) { order(id: $id) { events { id } } }", {"id": order["id"]})
        ids += [int(e["id"]) for e in data["order"]["events"]]
    return ids


async def test_after_a_reconnect_the_missed_events_come_first_then_live_ones_none_twice(server):
    await given_shop(server)
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(FEED, {})
        await server.wait_for_feeds(1)
        first = await place(server.api, ("A", 1))
        before = seen([await sub.next() for _ in first["events"]])
    await server.wait_for_feeds(0)
    cursor = before[-1][0]
    second = await place(server.api, ("A", 2))  # missed while away
    await override(server.api, first["id"], "TOR")
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(FEED, {"after": str(cursor)})
        missed = seen([await sub.next() for _ in range(len(second["events"]) + 1)])
        third = await place(server.api, ("A", 1))
        live = seen([await sub.next() for _ in third["events"]])
        assert await sub.drain(0.3) == []
    got = before + missed + live
    assert [c for c, _, _ in got] == sorted({c for c, _, _ in got}), "cursors rise, none twice"
    assert sorted(e for _, e, _ in got) == sorted(await events_of(server.api, first, second, third))
    assert [o for _, _, o in missed] == [second["id"]] * len(second["events"]) + [first["id"]]


async def test_a_channel_filtered_replay_brings_only_that_channel(server):
    await given_shop(server)
    await channel(server.api, "app")
    web = await place(server.api, ("A", 1))
    app_order = await place(server.api, ("A", 1), channel="app")
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(FEED, {"channels": ["app"], "after": "0"})
        replayed = seen(await sub.drain(0.5))
    assert {o for _, _, o in replayed} == {app_order["id"]} and web["id"] != app_order["id"]
    assert len(replayed) == len(app_order["events"])


async def test_a_cursor_older_than_the_outbox_keeps_is_refused(server):
    await given_shop(server)
    await place(server.api, ("A", 1))
    await server.settle()
    await OutboxRelay(server.hub.broker, keep_published=timedelta(0)).prune()
    await place(server.api, ("A", 1))
    await server.settle()
    async with ws_session(server.ws_url, server.api.token) as ws:
        with pytest.raises(TransportQueryError) as refused:
            await ws.subscribe(FEED, {"after": "0"}).next()
        with pytest.raises(TransportQueryError) as bad:
            await ws.subscribe(FEED, {"after": "soon"}).next()
    assert refused.value.errors[0]["extensions"]["code"] == "CURSOR_EXPIRED"
    assert bad.value.errors[0]["extensions"]["code"] == "INVALID_INPUT"


class HoldingBroker:
    """Publishes the batch after the held one first, as a slower relay of another process would."""

    def __init__(self, inner: Broker) -> None:
        self.inner = inner
        self.held: list[Message] | None = None
        self.holding = True

    async def publish(self, messages: list[Message]) -> None:
        if self.holding:
            self.held, self.holding = messages, False
            return
        await self.inner.publish(messages)
        if self.held is not None:
            held, self.held = self.held, None
            await self.inner.publish(held)


async def test_events_delivered_out_of_order_reach_the_dashboard_in_commit_order(server):
    await given_shop(server)
    relay = server.runtime.relay
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(FEED, {})
        await server.wait_for_feeds(1)
        a = await place(server.api, ("A", 1))
        got = [await sub.next() for _ in a["events"]]
        relay.broker = HoldingBroker(relay.broker)
        try:
            b = await place(server.api, ("A", 1))  # published late
            await server.settle()
            c = await place(server.api, ("A", 1))
            got += [await sub.next() for _ in [*b["events"], *c["events"]]]
            assert await sub.drain(0.3) == []
        finally:
            relay.broker = relay.broker.inner
    orders = [o for _, _, o in seen(got)]
    assert orders == ([a["id"]] * len(a["events"]) + [b["id"]] * len(b["events"])
                      + [c["id"]] * len(c["events"]))
    cursors = [cursor for cursor, _, _ in seen(got)]
    assert cursors == sorted(set(cursors))


def test_a_feed_vouches_only_for_items_whose_every_earlier_position_it_saw():
    feed = OrderFeed(None, lambda p: p["keep"], size=10, on_overflow=lambda _: None)
    for position, keep in [(5, True), (6, False), (7, True), (9, True), (8, False), (10, True)]:
        feed.offer({"keep": keep}, position)
    items = list(feed._queue)
    assert [(i.position, i.gap_free) for i in items] == [
        (5, False), (7, True), (9, False), (10, False)]


async def test_positions_follow_commit_order_not_id_order(database):
    if not database.is_postgres:
        pytest.skip("SQLite has one writer: ids are already in commit order")
    relay = OutboxRelay(Silent())
    written, go_on = asyncio.Event(), asyncio.Event()

    async def slow_writer() -> None:
        async with in_transaction():
            await OutboxEvent.create(topic=ORDER_EVENT, payload={"n": "slow"})
            written.set()
            await go_on.wait()

    slow = asyncio.create_task(slow_writer())
    await asyncio.wait_for(written.wait(), 5)
    await OutboxEvent.create(topic=ORDER_EVENT, payload={"n": "fast"})
    await relay.drain()
    go_on.set()
    await slow
    await relay.drain()
    rows = {row.payload["n"]: row for row in await OutboxEvent.all()}
    assert rows["slow"].id < rows["fast"].id
    assert rows["fast"].position is not None and rows["slow"].position == rows["fast"].position + 1


class Silent:
    async def publish(self, messages: list[Message]) -> None:
        return None
