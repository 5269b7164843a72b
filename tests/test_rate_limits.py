"""Rate limits: per token (its own or the server's default), per address without a token,
shared by every process through Redis; open websockets per token. Over a limit a request
is refused before it runs (429, Retry-After, RATE_LIMITED)."""
from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import Any

import httpx
import pytest
import websockets

from tests.helpers import app_client
from tests.servers import free_port, live_server
from tests.test_socket_guard import acked, closed_within, socket

CREATE = """mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    secret token { id rateLimit maxConnections } userErrors { code field } } }"""
NODE = """mutation($code: String!) {
  upsertNode(input: {code: $code, name: $code, type: WAREHOUSE}) {
    userErrors { code } } }"""
NODES = "{ nodes { code } }"


async def post(client: httpx.AsyncClient, query: str, secret: str | None = None,
               variables: dict[str, Any] | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def new_token(client: httpx.AsyncClient, admin: str, **extra: Any) -> dict[str, Any]:
    response = await post(client, CREATE, admin, {"input": {"name": "partner", "scopes": ["admin"],
                                                            **extra}})
    return response.json()["data"]["createApiToken"]


def refused(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 429, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert int(response.headers["retry-after"]) == error["extensions"]["retryAfter"] >= 1
    return error


async def test_a_token_over_its_own_limit_is_refused_before_anything_runs(database, admin_token):
    async with app_client(database) as client:
        made = await new_token(client, admin_token, rateLimit=3)
        assert made["token"]["rateLimit"] == 3 and made["userErrors"] == []
        secret = made["secret"]
        for code in ("N1", "N2", "N3"):
            ok = await post(client, NODE, secret, {"code": code})
            assert ok.status_code == 200 and ok.json()["data"]["upsertNode"]["userErrors"] == []
        over = await post(client, NODE, secret, {"code": "N4"})
        assert refused(over)["extensions"]["limit"] == 3
        codes = {n["code"] for n in (await post(client, NODES, admin_token)).json()["data"]["nodes"]}
        assert codes == {"N1", "N2", "N3"}, "the refused mutation must not have run"


async def test_tokens_are_counted_apart_and_by_the_servers_default(database, admin_token):
    async with app_client(replace(database, rate_limit_per_minute=2)) as client:
        made = await new_token(client, admin_token, rateLimit=0)  # no limit of its own
        other = made["secret"]
        assert (await post(client, NODES, admin_token)).status_code == 200  # the create was one
        refused(await post(client, NODES, admin_token))
        for _ in range(5):
            assert (await post(client, NODES, other)).status_code == 200


async def test_calls_without_a_token_are_limited_by_address(database, admin_token):
    settings = replace(database, anonymous_rate_limit_per_minute=2,
                       events_channel=f"{database.events_channel}:{free_port()}")
    async with app_client(settings) as client:
        for _ in range(2):
            answer = await post(client, NODES)
            assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        refused(await post(client, NODES))
        refused(await post(client, NODES, "oms_not-a-token"))  # a bad token counts as none
        assert (await post(client, NODES, admin_token)).status_code == 200


async def test_a_token_that_cannot_be_checked_is_not_counted_as_anonymous(database, admin_token,
                                                                          monkeypatch):
    """The database down while a request's token is checked: the request itself answers
    (SERVICE_UNAVAILABLE when the database is really away), counted against its secret at
    the server's default; never 429 as if it had no token (under load every client then
    shared one address's limit)."""
    import resolvers.throttle

    async def unreachable(secret: str | None) -> Any:
        raise ConnectionRefusedError("database unreachable")

    settings = replace(database, anonymous_rate_limit_per_minute=1, rate_limit_per_minute=3,
                       events_channel=f"{database.events_channel}:{free_port()}")
    async with app_client(settings) as client:
        monkeypatch.setattr(resolvers.throttle, "authenticate", unreachable)
        for _ in range(3):
            assert (await post(client, NODES, admin_token)).status_code == 200
        refused(await post(client, NODES, admin_token))


async def test_every_process_shares_the_limit_through_redis(database, admin_token):
    if not database.redis_url:
        pytest.skip("needs Redis: without it each process counts on its own")
    settings = replace(database, events_channel=f"{database.events_channel}:{free_port()}")
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(app_client(settings))
        second = await stack.enter_async_context(app_client(settings))
        secret = (await new_token(first, admin_token, rateLimit=4))["secret"]
        answers = [await post(c, NODES, secret) for c in (first, second, first, second, first)]
        assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]


async def test_a_token_s_limits_are_validated(database, admin_token):
    async with app_client(database) as client:
        made = await new_token(client, admin_token, rateLimit=-1, maxConnections=2_000_000)
        assert made["token"] is None
        assert sorted(e["field"][-1] for e in made["userErrors"]) == ["maxConnections", "rateLimit"]


async def test_limits_are_not_enforced_while_redis_is_unreachable(database, admin_token):
    settings = replace(database, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    async with app_client(settings) as client:
        secret = (await new_token(client, admin_token, rateLimit=1))["secret"]
        for _ in range(3):
            assert (await post(client, NODES, secret)).status_code == 200


async def test_a_token_holds_at_most_its_connections(database, admin_token):
    async with live_server(database, admin_token) as server:
        made = (await server.api(CREATE, {"input": {"name": "screen", "scopes": ["availability:read"],
                                                    "maxConnections": 2}}))["createApiToken"]
        secret = made["secret"]
        async with socket(server, secret) as one, socket(server, secret) as two:
            await acked(one)
            await acked(two)
            async with socket(server, secret) as three:
                await closed_within(three, 5)
            assert three.close_code == 4429
        # both closed: their slots are free again
        async with socket(server, secret) as again:
            await asyncio.wait_for(acked(again), 5)


async def test_connection_slots_are_shared_by_every_process(database, admin_token):
    if not database.redis_url:
        pytest.skip("needs Redis: without it each process counts on its own")
    settings = replace(database, events_channel=f"{database.events_channel}:{free_port()}")
    async with live_server(settings, admin_token) as first, live_server(settings, admin_token) as second:
        made = (await first.api(CREATE, {"input": {"name": "screen", "scopes": ["availability:read"],
                                                   "maxConnections": 1}}))["createApiToken"]
        async with socket(first, made["secret"]) as held:
            await acked(held)
            async with websockets.connect(second.ws_url, subprotocols=["graphql-transport-ws"]) as other:
                await other.send(json.dumps({"type": "connection_init",
                                             "payload": {"Authorization": f"Bearer {made['secret']}"}}))
                await closed_within(other, 5)
            assert other.close_code == 4429
