"""Crash safety on PostgreSQL, with `oms serve` run as users run it.

- Killed under load: 32 clients place orders and work their fulfillments to shipped, then
  the link to Redis is held (events wait in the outbox) and the server gets SIGKILL. No
  order is half-written, every acknowledged change is there, the ledger adds up.
  Restarted, the server publishes what was left pending and a subscriber receives each of
  those events once; with what the events channel carried before the kill, every
  committed event reached a subscriber, and none that did not commit.
- PostgreSQL away under load, through a proxy (cut, as a restart looks; then held, as a
  stalled link looks): requests fail within a bound with SERVICE_UNAVAILABLE (503 and
  Retry-After), none hangs through the outage, /healthz says the database is down, and
  when it is back the same server serves again by itself, its relay publishes what waited
  and a subscription opened before the outages carries on.
(Redis down while serving: tests/test_realtime_resilience.py.)
"""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from oms.config import Settings
from oms.events.topics import ORDER_EVENT
from oms.models import Fulfillment, Order, OrderEvent, OutboxEvent
from tests.consistency import WAY, order_problems
from tests.helpers import ledger_mismatches, stock
from tests.order_helpers import network, place
from tests.proxy import TcpProxy, proxy_for
from tests.servers import LiveServer, Subscription, eventually, oms_serve, ws_session
from tests.under_load import (
    ORDER_EVENTS,
    PROBE_SKU,
    SKUS,
    ChannelTap,
    Heard,
    Load,
    Shoppers,
    until_heard,
)

CLIENTS = 32
SHOPPERS = 16
ACCEPT = """mutation($id: ID!) { acceptFulfillment(fulfillmentId: $id) {
  userErrors { code message } } }"""
ORDER_UPDATES = """subscription($id: ID!, $after: ID) {
  orderUpdates(orderId: $id, after: $after) { event { id type } } }"""
STALLED_COMMAND_TIMEOUT = 2
CUT_BOUND, STALL_BOUND, HEALTH_BOUND = 3.0, 6.5 * STALLED_COMMAND_TIMEOUT, 3.0
"""Seconds a request may take to fail while the database is cut (at once), or stalled (a
statement and its rollback time out, after waiting about as long for a pooled connection
that another stalled request holds); /healthz to answer. The stall bound was 5x the command
timeout until the background jobs grew (webhook and notification senders, schedules, pickup
reminders): their stalled connections lengthen the pool wait, and the slowest request was
measured at 10.0-11.8 s at a 2 s timeout. A pool acquire timeout would bring it back down."""


@pytest.fixture(autouse=True)
def postgres_and_redis(database: Settings) -> None:
    if not database.is_postgres or not database.redis_url:
        pytest.skip("crash safety is tested on PostgreSQL + Redis (set OMS_TEST_DATABASE_URL and "
                    "OMS_TEST_REDIS_URL): a server is killed mid-transaction and its database "
                    "link cut, which SQLite in one process cannot show")


def server_env(settings: Settings, database_url: str, redis_url: str,
               **extra: str) -> dict[str, str]:
    return {"OMS_DATABASE_URL": database_url, "OMS_REDIS_URL": redis_url,
            "OMS_EVENTS_CHANNEL": settings.events_channel, "OMS_DB_POOL_MAX": "10",
            "OMS_RELAY_POLL_SECONDS": "1", **extra}


async def shop(api: Any) -> None:
    await network(api)
    await stock(api, *[(sku, code, 5000) for sku in (*SKUS, PROBE_SKU)
                       for code in ("MIL", "TOR", "ROM", "NAP")])


async def unpublished_order_events() -> set[int]:
    payloads = await OutboxEvent.filter(topic=ORDER_EVENT, published_at=None).values_list(
        "payload", flat=True)
    return {int(p["event_id"]) for p in payloads}


async def published_order_events() -> set[int]:
    payloads = await OutboxEvent.filter(topic=ORDER_EVENT, published_at__not_isnull=True
                                        ).values_list("payload", flat=True)
    return {int(p["event_id"]) for p in payloads}


async def nothing_unpublished() -> bool:
    return not await OutboxEvent.filter(published_at=None).exists()


class OutboxLock:
    """Row locks on the outbox events pending now, held by a connection of the test: the
    relay skips them (SKIP LOCKED) until `release()`."""

    async def take(self, database_url: str) -> OutboxLock:
        self.connection = await asyncpg.connect(database_url)
        self.transaction = self.connection.transaction()
        await self.transaction.start()
        await self.connection.fetch(
            "SELECT id FROM outbox_event WHERE published_at IS NULL FOR UPDATE")
        return self

    async def release(self) -> None:
        await self.transaction.rollback()
        await self.connection.close()


async def test_a_server_killed_under_load_leaves_whole_orders_and_loses_no_event(
        database: Settings, admin_token: str, tmp_path: Path) -> None:
    assert database.redis_url is not None
    async with proxy_for(database.redis_url) as redis_link, \
            ChannelTap(database.redis_url, database.events_channel) as tap:
        env = server_env(database, database.database_url, redis_link.route(database.redis_url))
        load = await kill_under_load(env, admin_token, tmp_path, redis_link)
        assert load.refused == []
        assert await order_problems() == []
        assert await ledger_mismatches() == []
        await acknowledged_changes_are_there(load)
        committed = set(await OrderEvent.all().values_list("id", flat=True))
        pending = await unpublished_order_events()
        assert pending, "the kill was meant to leave events in the outbox"
        published = await published_order_events()
        await eventually(lambda: published <= tap.order_event_ids(), within=5)
        before = tap.order_event_ids()
        heard = await restart_and_listen(env, admin_token, tmp_path, redis_link, pending,
                                         database.database_url)
    assert tap.order_event_ids() <= set(await OrderEvent.all().values_list("id", flat=True)), \
        "an event of a change that never committed was published"
    assert Counter(i for i in heard.ids() if i in pending) == Counter(pending)  # each once
    assert committed <= before | set(heard.ids())  # every committed event reached a subscriber


async def kill_under_load(env: dict[str, str], admin_token: str, tmp_path: Path,
                          redis_link: TcpProxy) -> Load:
    async with oms_serve(env, admin_token, tmp_path) as server:
        await shop(server.api)
        load = Load(server.api.client, admin_token)
        clients = [asyncio.create_task(load.run(n)) for n in range(CLIENTS)]
        try:
            await eventually(lambda: len(load.placed) >= 60 and load.shipped() >= 20, within=30)
            redis_link.hold()  # the relay cannot publish any more: events stay pending
            await eventually(lambda: _at_least(unpublished_order_events(), 30), within=20)
            await server.kill()
            await asyncio.wait_for(asyncio.gather(*clients), 30)
        finally:
            for client in clients:
                client.cancel()
    return load


async def _at_least(found: Awaitable[set[int]], count: int) -> bool:
    return len(await found) >= count


async def acknowledged_changes_are_there(load: Load) -> None:
    stored = {str(i) for i in await Order.filter(id__in=list(load.placed)).values_list(
        "id", flat=True)}
    assert stored == load.placed
    statuses = {str(k): v for k, v in await Fulfillment.filter(
        id__in=list(load.reached)).values_list("id", "status")}
    for fulfillment_id, acknowledged in load.reached.items():
        status = statuses[fulfillment_id]
        assert WAY.index(status) >= WAY.index(acknowledged), (fulfillment_id, status)


async def restart_and_listen(env: dict[str, str], admin_token: str, tmp_path: Path,
                             redis_link: TcpProxy, pending: set[int], database_url: str) -> Heard:
    """Restart with the pending events locked, so the relay leaves them until a subscriber
    listens; then let it publish them."""
    lock = await OutboxLock().take(database_url)
    try:
        await redis_link.cut()  # what the killed server had sent never arrives
        await redis_link.restore()
        async with oms_serve(env, admin_token, tmp_path) as server, \
                ws_session(server.ws_url, admin_token) as ws:
            heard = Heard(ws.subscribe(ORDER_EVENTS))
            await until_heard(server, heard)
            await lock.release()
            await eventually(lambda: pending <= set(heard.ids()), within=15)
            await eventually(nothing_unpublished, within=10)
            heard.take()
    finally:
        if not lock.connection.is_closed():
            await lock.release()
    return heard


async def test_postgres_going_away_under_load_fails_cleanly_and_the_server_recovers(
        database: Settings, admin_token: str, tmp_path: Path) -> None:
    assert database.redis_url is not None
    async with proxy_for(database.database_url) as pg:
        timeout = str(STALLED_COMMAND_TIMEOUT)
        env = server_env(database, pg.route(database.database_url), database.redis_url,
                         OMS_DB_COMMAND_TIMEOUT_SECONDS=timeout,
                         OMS_DB_CONNECT_TIMEOUT_SECONDS=timeout)
        async with oms_serve(env, admin_token, tmp_path) as server, \
                ws_session(server.ws_url, admin_token) as ws:
            await shop(server.api)
            watched = await place(server.api, (PROBE_SKU, 1))
            updates = ws.subscribe(ORDER_UPDATES, {"id": watched["id"], "after": "0"})
            await heard_type(updates, "ORDER_CREATED")  # replayed: the subscription is live
            shoppers = Shoppers(server.api.client, admin_token)
            tasks = [asyncio.create_task(shoppers.run(n)) for n in range(SHOPPERS)]
            try:
                await outage(server, shoppers, pg.cut, pg.restore, CUT_BOUND)
                await outage(server, shoppers, _sync(pg.hold), pg.restore, STALL_BOUND)
            finally:
                shoppers.stopping = True
                await asyncio.wait_for(asyncio.gather(*tasks), 30)
            accepted = await server.api(ACCEPT, {"id": watched["fulfillments"][0]["id"]})
            assert accepted["acceptFulfillment"]["userErrors"] == []
            await heard_type(updates, "FULFILLMENT_ACCEPTED")  # the relay publishes again
            await eventually(nothing_unpublished, within=10)
    assert shoppers.others() == []
    assert await order_problems() == []
    assert await ledger_mismatches() == []
    keys = dict(await Order.filter(idempotency_key__startswith="shopper-").values_list(
        "idempotency_key", "id"))
    assert {k: str(keys.get(k)) for k in shoppers.acknowledged} == shoppers.acknowledged


async def heard_type(updates: Subscription, event_type: str) -> None:
    """Wait for an update of `event_type` (the history before it passes by)."""
    while (await updates.next(10))["orderUpdates"]["event"]["type"] != event_type:
        pass


async def outage(server: LiveServer, shoppers: Shoppers, go: Callable[[], Awaitable[None]],
                 back: Callable[[], Awaitable[None]], bound: float) -> None:
    """The database goes away under load and comes back: requests fail within `bound`
    seconds, /healthz tells, and the server serves again by itself."""
    await eventually(lambda: shoppers.count("ok", time.monotonic() - 1) >= 5, within=10)
    went = time.monotonic()
    await go()
    # Lasting longer than `bound`: a request hanging through it could not pass for a slow one.
    await eventually(lambda: shoppers.count("unavailable", went) >= SHOPPERS and
                     time.monotonic() - went > bound, within=3 * bound)
    await healthz(server, 503, database="unavailable", broker="ok")
    returned = time.monotonic()
    await back()
    await eventually(lambda: shoppers.count("ok", returned) >= 10, within=15)
    await healthz(server, 200, database="ok", broker="ok")
    assert shoppers.slowest(went, returned) < bound


async def healthz(server: LiveServer, status: int, **checks: str) -> None:
    started = time.monotonic()
    response = await server.api.client.get("/healthz")
    assert time.monotonic() - started < HEALTH_BOUND
    assert response.status_code == status, response.text
    assert {k: response.json()[k] for k in checks} == checks


def _sync(step: Callable[[], None]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        step()

    return run
