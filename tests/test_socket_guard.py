"""Open websockets follow their token: revoked or expired, the socket is closed at once (4403);
browsers only from allowed origins; a cap on subscriptions per socket; a slow init is cut."""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import websockets

from tests.servers import one_sku_shop

SUBSCRIBE = "subscription($c: String!) { stockUpdates(channel: $c) { sku available } }"
CREATE = """mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { secret token { id } userErrors { code } } }"""
REVOKE = "mutation($id: ID!) { revokeApiToken(id: $id) { userErrors { code } } }"


@asynccontextmanager
async def socket(server: Any, secret: str, **headers: str) -> AsyncIterator[Any]:
    async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"],
                                  additional_headers=headers or None) as ws:
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"Authorization": f"Bearer {secret}"}}))
        yield ws


async def acked(ws: Any) -> None:
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"


async def subscribe(ws: Any, op_id: str) -> None:
    await ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {
        "query": SUBSCRIBE, "variables": {"c": "web"}}}))


async def first_not_next(ws: Any) -> dict[str, Any]:
    """The next message that is not a subscription's data: a stock change committed while
    the test subscribes (the shop's own setup, relayed late on a busy machine) may come first."""
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if message["type"] != "next":
            return message


async def closed_within(ws: Any, seconds: float) -> float:
    started = time.monotonic()
    with pytest.raises(websockets.ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), seconds)
    return time.monotonic() - started


async def token(server: Any, **extra: Any) -> tuple[str, str]:
    data = await server.api(CREATE, {"input": {"name": "kiosk", "scopes": ["availability:read"],
                                               **extra}})
    made = data["createApiToken"]
    return made["secret"], made["token"]["id"]


@pytest.fixture
async def server(database: Any, admin_token: str) -> AsyncIterator[Any]:
    settings = replace(database, allowed_origins=("https://shop.example",),
                       max_subscriptions_per_connection=2, ws_init_timeout_seconds=1)
    async with one_sku_shop(settings, admin_token) as running:
        yield running


async def test_revoking_a_token_closes_its_open_socket_at_once(server: Any) -> None:
    secret, token_id = await token(server)
    async with socket(server, secret) as ws:
        await acked(ws)
        await subscribe(ws, "1")
        await server.wait_for_feeds(1)
        assert (await server.api(REVOKE, {"id": token_id}))["revokeApiToken"]["userErrors"] == []
        assert await closed_within(ws, 2) < 1.0
    assert ws.close_code == 4403
    await server.wait_for_feeds(0)


async def test_an_expiring_token_closes_its_open_socket_when_it_expires(server: Any) -> None:
    expires = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
    secret, _ = await token(server, expiresAt=expires)
    async with socket(server, secret) as ws:
        await acked(ws)
        await subscribe(ws, "1")
        await closed_within(ws, 4)
    assert ws.close_code == 4403


async def test_browsers_may_connect_only_from_allowed_origins(server: Any) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with socket(server, server.api.token, Origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    async with socket(server, server.api.token, Origin="https://shop.example") as ws:
        await acked(ws)


async def test_subscriptions_per_socket_are_capped(server: Any) -> None:
    async with socket(server, server.api.token) as ws:
        await acked(ws)
        for op_id in ("1", "2", "3"):
            await subscribe(ws, op_id)
        refused = await first_not_next(ws)
        assert refused["id"] == "3" and refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"


async def test_a_socket_that_never_inits_is_cut(server: Any) -> None:
    async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await closed_within(ws, 5)
    assert ws.close_code == 4408
