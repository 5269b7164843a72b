"""stockUpdates over a real websocket against a real server: payloads, filters, access, coalescing."""
from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from gql.transport.exceptions import TransportQueryError

from tests.conftest import make_token
from tests.helpers import ADJUST, channel, node, stock
from tests.servers import live_server, ws_session

STOCK_UPDATES = """
subscription($channel: String!, $skus: [String!]) {
  stockUpdates(channel: $channel, skus: $skus) { sku channel available at }
}"""


@pytest.fixture
async def server(database, admin_token):
    async with live_server(database, admin_token) as running:
        yield running


async def adjust(api, sku: str, node_code: str, delta: int) -> None:
    data = await api(ADJUST, {"adjustments": [{"sku": sku, "nodeCode": node_code, "delta": delta}]})
    assert data["adjustInventory"]["userErrors"] == [], data


async def shop(api) -> None:
    """web sees WH1 and STORE1; marketplace sees half of WH1 only."""
    await node(api, "WH1")
    await node(api, "STORE1", type="STORE")
    await channel(api, "web")
    await channel(api, "marketplace", type="MARKETPLACE", allocationPercent=50,
                  nodeTypes=["WAREHOUSE"])
    await stock(api, ("A", "WH1", 10), ("A", "STORE1", 4), ("B", "WH1", 6))


async def given_shop(server) -> None:
    await shop(server.api)
    await server.settle()


def update(result: dict) -> tuple[str, str, int]:
    item = result["stockUpdates"]
    return item["sku"], item["channel"], item["available"]


async def test_adjustment_pushes_the_new_channel_total(server):
    await given_shop(server)
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(STOCK_UPDATES, {"channel": "web", "skus": ["A"]})
        await server.wait_for_feeds(1)
        await adjust(server.api, "A", "WH1", 5)
        result = await sub.next()
        assert update(result) == ("A", "web", 19)
        assert result["stockUpdates"]["at"]
        await stock(server.api, ("A", "STORE1", 0))
        assert update(await sub.next()) == ("A", "web", 15)


async def test_only_asked_skus_and_the_channels_own_view(server):
    await given_shop(server)
    async with ws_session(server.ws_url, server.api.token) as ws:
        web_a = ws.subscribe(STOCK_UPDATES, {"channel": "web", "skus": ["A"]})
        market_all = ws.subscribe(STOCK_UPDATES, {"channel": "marketplace"})
        await server.wait_for_feeds(2)
        await adjust(server.api, "B", "WH1", 2)
        assert update(await market_all.next()) == ("B", "marketplace", 4)
        await adjust(server.api, "A", "STORE1", 3)  # a store: marketplace does not see it
        assert update(await web_a.next()) == ("A", "web", 17)
        # subscribed to every SKU, there is no baseline: the first change of A tells its total
        assert update(await market_all.next()) == ("A", "marketplace", 5)
        await adjust(server.api, "A", "WH1", -4)
        assert update(await web_a.next()) == ("A", "web", 13)
        assert update(await market_all.next()) == ("A", "marketplace", 3)
        assert await web_a.drain(0.3) == [] and await market_all.drain(0.3) == []


async def test_unchanged_total_is_not_pushed(server):
    await given_shop(server)
    async with ws_session(server.ws_url, server.api.token) as ws:
        market = ws.subscribe(STOCK_UPDATES, {"channel": "marketplace", "skus": ["A"]})
        await server.wait_for_feeds(1)
        await adjust(server.api, "A", "STORE1", 7)  # not a node marketplace sees
        await adjust(server.api, "A", "WH1", 1)  # 11 * 50% = 5, as before
        await adjust(server.api, "A", "WH1", 1)  # 12 * 50% = 6
        assert [update(r) for r in await market.drain(0.5)] == [("A", "marketplace", 6)]


async def test_a_burst_of_changes_arrives_coalesced_with_the_last_total(server):
    await given_shop(server)
    server.hub.stock_window = 0.3
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(STOCK_UPDATES, {"channel": "web", "skus": ["A"]})
        await server.wait_for_feeds(1)
        await asyncio.gather(*(adjust(server.api, "A", "WH1", 1) for _ in range(20)))
        received = [update(r) for r in await sub.drain(1.0)]
    assert received and received[-1] == ("A", "web", 34)
    assert len(received) < 20
    assert [v for _, _, v in received] == sorted(v for _, _, v in received)


async def test_channel_outside_the_token_is_unknown_to_it(server):
    await given_shop(server)
    partner = await make_token(["availability:read"], channels=["marketplace"])
    async with ws_session(server.ws_url, partner) as ws:
        denied = ws.subscribe(STOCK_UPDATES, {"channel": "web"})
        with pytest.raises(TransportQueryError) as refused:
            await denied.next()
        assert refused.value.errors[0]["extensions"]["code"] == "UNKNOWN_CHANNEL"
        allowed = ws.subscribe(STOCK_UPDATES, {"channel": "marketplace", "skus": ["B"]})
        await server.wait_for_feeds(1)
        await adjust(server.api, "B", "WH1", 4)
        assert update(await allowed.next()) == ("B", "marketplace", 5)


@pytest.mark.parametrize(("scopes", "code"), [
    (["inventory:write"], "FORBIDDEN"),
    (["orders:read:own"], "FORBIDDEN"),
])
async def test_scope_is_required(server, scopes, code):
    await given_shop(server)
    token = await make_token(scopes, customer_ref="c-1" if "orders:read:own" in scopes else None)
    async with ws_session(server.ws_url, token) as ws:
        with pytest.raises(TransportQueryError) as refused:
            await ws.subscribe(STOCK_UPDATES, {"channel": "web"}).next()
    assert refused.value.errors[0]["extensions"]["code"] == code


async def test_unknown_channel_is_refused(server):
    async with ws_session(server.ws_url, server.api.token) as ws:
        with pytest.raises(TransportQueryError) as refused:
            await ws.subscribe(STOCK_UPDATES, {"channel": "nowhere"}).next()
    assert refused.value.errors[0]["extensions"]["code"] == "UNKNOWN_CHANNEL"


@pytest.mark.parametrize("init", [
    {"Authorization": "Bearer oms_not-a-token"},
    {"authorization": "Basic abc"},
    {},
])
async def test_bad_token_closes_the_socket_with_4403(server, init):
    async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
    assert ws.close_code == 4403


async def test_revoked_token_is_refused_at_connect(server):
    token = await make_token(["availability:read"])
    data = await server.api("query { apiTokens { id name } }")
    token_id = next(t["id"] for t in data["apiTokens"] if t["name"] == "test")
    await server.api("mutation($id: ID!) { revokeApiToken(id: $id) { userErrors { code } } }",
                     {"id": token_id})
    async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"Authorization": f"Bearer {token}"}}))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
    assert ws.close_code == 4403


async def test_closed_subscription_leaves_the_hub(server):
    await given_shop(server)
    async with ws_session(server.ws_url, server.api.token) as ws:
        ws.subscribe(STOCK_UPDATES, {"channel": "web", "skus": ["A"]})
        ws.subscribe(STOCK_UPDATES, {"channel": "web"})
        await server.wait_for_feeds(2)
    await server.wait_for_feeds(0)


async def test_a_dead_socket_is_noticed_and_its_subscription_dropped(database, admin_token):
    # uvicorn pings every socket (20 s by default); here every 0.3 s.
    async with live_server(database, admin_token, ws_ping_interval=0.3,
                           ws_ping_timeout=0.3) as server:
        await given_shop(server)
        async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"],
                                      ping_interval=None) as ws:
            await ws.send(json.dumps({"type": "connection_init",
                                      "payload": {"Authorization": f"Bearer {admin_token}"}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
                "query": STOCK_UPDATES, "variables": {"channel": "web"}}}))
            await server.wait_for_feeds(1)
            ws.transport.pause_reading()  # the client hangs: no pong will come back
            await server.wait_for_feeds(0)




INITIAL = """
subscription($channel: String!, $skus: [String!], $initial: Boolean) {
  stockUpdates(channel: $channel, skus: $skus, initial: $initial) { sku channel available at }
}"""


async def test_initial_totals_come_first_in_the_order_asked_then_every_change(server):
    await given_shop(server)
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(INITIAL, {"channel": "web", "skus": ["B", "A", "B", "NEW"],
                                     "initial": True})
        opening = [update(await sub.next()) for _ in range(3)]
        # B: 6 at WH1; A: 10 at WH1 + 4 at STORE1; NEW: stocked nowhere; B asked twice, sent once
        assert opening == [("B", "web", 6), ("A", "web", 10 + 4), ("NEW", "web", 0)]
        await adjust(server.api, "A", "WH1", 5)
        assert update(await sub.next()) == ("A", "web", 14 + 5)
        assert await sub.drain(0.3) == []


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_change_committed_while_the_totals_are_read_is_neither_lost_nor_repeated(
        server, monkeypatch, when):
    """The subscription listens, then reads the totals: a change committed just before the
    read is in them (and not pushed again), one committed just after it is pushed."""
    await given_shop(server)
    hub, read = server.hub, server.hub.current_totals

    async def read_with_a_change(channel, skus):
        if when == "after":
            totals = await read(channel, skus)
        await adjust(server.api, "A", "WH1", 5)
        await server.settle()  # the hub has read and offered the new total meanwhile
        return totals if when == "after" else await read(channel, skus)

    monkeypatch.setattr(hub, "current_totals", read_with_a_change)
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(INITIAL, {"channel": "web", "skus": ["A"], "initial": True})
        first = update(await sub.next())
        if when == "before":
            assert first == ("A", "web", 14 + 5)  # in the opening total, not repeated after
            assert await sub.drain(0.3) == []
        else:
            assert first == ("A", "web", 14)  # read before the change: the change follows
            assert [update(r) for r in await sub.drain(0.3)] == [("A", "web", 14 + 5)]
        await adjust(server.api, "A", "WH1", 1)
        assert update(await sub.next()) == ("A", "web", 19 + 1)


async def test_initial_needs_the_skus_asked(server):
    await given_shop(server)
    async with ws_session(server.ws_url, server.api.token) as ws:
        with pytest.raises(TransportQueryError) as refused:
            await ws.subscribe(INITIAL, {"channel": "web", "initial": True}).next()
    assert refused.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
