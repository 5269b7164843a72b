"""A server restarted while a receiver holds a delivery unanswered, with `oms serve` run as
users run it: stopped cleanly (SIGTERM: the claim is released) or killed (SIGKILL: the claim
lapses), the next server sends that delivery again with the same event id, then the rest in
order, and the receiver answers each event id once."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from oms.config import Settings
from tests.helpers import channel, node, stock
from tests.journeys import place_paid
from tests.receiver import HANG, Receiver, receiver
from tests.servers import LiveServer, eventually, oms_serve
from tests.webhook_helpers import hooked, listed

TYPES = ["ORDER_CREATED", "FULFILLMENT_CREATED"]
ORDERS = 3


def serve_env(settings: Settings, timeout: float) -> dict[str, str]:
    return {"OMS_DATABASE_URL": settings.database_url, "OMS_REDIS_URL": settings.redis_url or "",
            "OMS_EVENTS_CHANNEL": settings.events_channel, "OMS_WEBHOOK_ALLOW_PRIVATE": "on",
            "OMS_WEBHOOK_TIMEOUT_SECONDS": str(timeout), "OMS_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
            "OMS_WEBHOOK_POLL_SECONDS": "0.1", "OMS_DB_POOL_MAX": "5"}


async def start_hanging(server: LiveServer, hook: Receiver) -> list[dict[str, Any]]:
    """A shop with an endpoint at `hook`, which holds the first delivery unanswered."""
    await node(server.api, "WH1")
    await channel(server.api, "web")
    await stock(server.api, ("A", "WH1", 50))
    hook.answer(HANG)
    await hooked(server.api, hook, TYPES)
    orders = [await place_paid(server.api, ("A", 1)) for _ in range(ORDERS)]
    await eventually(lambda: len(hook.arrivals) == 1)
    return orders


async def delivered_once_each(server: LiveServer, hook: Receiver,
                              orders: list[dict[str, Any]]) -> None:
    await hook.wait_for(2 * ORDERS, within=30)

    async def settled() -> bool:
        (found,) = await listed(server.api)
        return {d["status"] for d in found["deliveries"]} == {"DELIVERED"}

    await eventually(settled, within=10)
    ids = hook.delivered_ids()
    assert len(ids) == len(set(ids)) == 2 * ORDERS, ids
    assert ids[0] == hook.arrivals[0].event_id, "the held one first, with the same id"
    assert [a.body["data"]["orderId"] for a in hook.of_type("ORDER_CREATED")] == [
        o["id"] for o in orders]
    assert all(a.verified for a in hook.arrivals)


@pytest.mark.parametrize("stop", ["terminate", "kill"])
async def test_a_restart_mid_delivery_delivers_each_event_once(
        database: Settings, admin_token: str, tmp_path: Path, stop: str) -> None:
    # Killed, the claim lapses after 2 x timeout + 5 s: a short timeout keeps the test short
    # (the receiver holds the request past it, so the first server is killed mid-attempt).
    env = serve_env(database, 30.0 if stop == "terminate" else 2.0)
    async with receiver() as hook:
        async with oms_serve(env, admin_token, tmp_path) as first:
            orders = await start_hanging(first, hook)
            if stop == "kill":
                await first.kill()
        async with oms_serve(env, admin_token, tmp_path) as second:
            await delivered_once_each(second, hook, orders)


async def test_two_servers_never_send_one_delivery_twice_nor_two_at_once(
        database: Settings, admin_token: str, tmp_path: Path) -> None:
    """Both processes send (each claims what is due); an endpoint still gets one delivery
    at a time, in order, each once."""
    if not database.is_postgres:
        pytest.skip("several server processes share PostgreSQL (SQLite serves one process)")
    env = serve_env(database, 5.0)
    async with receiver() as hook, oms_serve(env, admin_token, tmp_path) as one, \
            oms_serve(env, admin_token, tmp_path) as two:
        await node(one.api, "WH1")
        await channel(one.api, "web")
        await stock(one.api, ("A", "WH1", 50))
        hook.delay = 0.02
        await hooked(one.api, hook, TYPES)
        orders = [await place_paid(server.api, ("A", 1)) for server in (one, two) * 5]
        await hook.wait_for(2 * len(orders), within=30)
        ids = hook.delivered_ids()
        assert len(hook.arrivals) == len(ids) == len(set(ids)) == 2 * len(orders)
        assert hook.most_in_flight == 1
        assert [a.body["data"]["orderId"] for a in hook.of_type("ORDER_CREATED")] == [
            o["id"] for o in orders]
