"""orderUpdates and orderEvents over a real websocket against a real server."""
from __future__ import annotations

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.conftest import make_token
from tests.helpers import channel, stock
from tests.order_helpers import network, place
from tests.servers import live_server, ws_session

UPDATE_FIELDS = "{ event { id type status message at } order { id number status channel { code } } }"
ORDER_UPDATES = """
subscription($orderId: ID!, $after: ID) {
  orderUpdates(orderId: $orderId, after: $after) """ + UPDATE_FIELDS + "\n}"
ORDER_EVENTS = ("subscription($channels: [String!]) { orderEvents(channels: $channels) "
                + UPDATE_FIELDS + " }")
OVERRIDE = """
mutation($input: RoutingOverrideInput!) {
  overrideRouting(input: $input) { order { id status } userErrors { code message } }
}"""


@pytest.fixture
async def server(database, admin_token):
    async with live_server(database, admin_token) as running:
        yield running


async def given_shop(server) -> None:
    await network(server.api, ("MIL", "TOR"))
    await channel(server.api, "marketplace", type="MARKETPLACE")
    await stock(server.api, ("A", "MIL", 10), ("A", "TOR", 10))
    await server.settle()


async def override(api, order_id: str, node_code: str) -> None:
    data = await api(OVERRIDE, {"input": {"orderId": order_id, "nodeCode": node_code,
                                          "reason": "closer to the courier"}})
    assert data["overrideRouting"]["userErrors"] == [], data


def kind(result: dict, root: str = "orderUpdates") -> tuple[str, str]:
    return result[root]["event"]["type"], result[root]["order"]["id"]


async def test_order_updates_push_each_event_with_the_order_as_it_is_now(server):
    await given_shop(server)
    order = await place(server.api, ("A", 2))
    history = [e["type"] for e in order["events"]]
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(ORDER_UPDATES, {"orderId": order["id"]})
        await server.wait_for_feeds(1)
        await override(server.api, order["id"], "TOR")
        pushed = (await sub.next())["orderUpdates"]
        assert pushed["event"]["type"] == "ROUTING_OVERRIDDEN"
        assert pushed["event"]["message"] == "closer to the courier"
        assert pushed["order"]["id"] == order["id"]
        assert pushed["order"]["status"] == pushed["event"]["status"]
        other = await place(server.api, ("A", 1))  # another order: not on this subscription
        await override(server.api, order["id"], "MIL")
        assert kind(await sub.next()) == ("ROUTING_OVERRIDDEN", order["id"])
        assert await sub.drain(0.3) == []
    assert history[0] == "ORDER_CREATED" and other["id"] != order["id"]


async def test_after_replays_what_was_missed_then_goes_live_without_duplicates(server):
    await given_shop(server)
    order = await place(server.api, ("A", 2))
    first_event = order["events"][0]["id"]
    await override(server.api, order["id"], "TOR")  # missed while disconnected
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(ORDER_UPDATES, {"orderId": order["id"], "after": first_event})
        replayed = [await sub.next() for _ in range(len(order["events"]))]
        await override(server.api, order["id"], "MIL")
        live = await sub.next()
        assert await sub.drain(0.3) == []
    ids = [int(r["orderUpdates"]["event"]["id"]) for r in [*replayed, live]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert ids[0] > int(first_event)
    types = [r["orderUpdates"]["event"]["type"] for r in replayed]
    assert types[-1] == "ROUTING_OVERRIDDEN" and "ORDER_CREATED" not in types
    assert live["orderUpdates"]["event"]["type"] == "ROUTING_OVERRIDDEN"


async def test_order_events_cover_new_orders_in_the_tokens_channels(server):
    await given_shop(server)
    partner = await make_token(["orders:read"], channels=["marketplace"])
    async with ws_session(server.ws_url, server.api.token) as admin_ws, \
            ws_session(server.ws_url, partner) as partner_ws:
        everything = admin_ws.subscribe(ORDER_EVENTS, {})
        web_only = admin_ws.subscribe(ORDER_EVENTS, {"channels": ["web"]})
        partners = partner_ws.subscribe(ORDER_EVENTS, {})
        await server.wait_for_feeds(3)
        web_order = await place(server.api, ("A", 1))
        market_order = await place(server.api, ("A", 1), channel_code="marketplace")
        seen_all = [kind(r, "orderEvents") for r in await everything.drain(0.5)]
        seen_web = [kind(r, "orderEvents") for r in await web_only.drain(0.2)]
        seen_partner = [kind(r, "orderEvents") for r in await partners.drain(0.2)]
    assert ("ORDER_CREATED", web_order["id"]) in seen_all
    assert ("ORDER_CREATED", market_order["id"]) in seen_all
    assert {o for _, o in seen_web} == {web_order["id"]}
    assert {o for _, o in seen_partner} == {market_order["id"]}
    assert seen_web[0] == ("ORDER_CREATED", web_order["id"])


async def test_customer_token_sees_only_its_own_orders(server):
    await given_shop(server)
    customer = await make_token(["orders:read:own"], customer_ref="cust-1")
    mine = await place(server.api, ("A", 1), customerRef="cust-1")
    theirs = await place(server.api, ("A", 1), customerRef="cust-2")
    async with ws_session(server.ws_url, customer) as ws:
        with pytest.raises(TransportQueryError) as refused:
            await ws.subscribe(ORDER_UPDATES, {"orderId": theirs["id"]}).next()
        assert refused.value.errors[0]["extensions"]["code"] == "NOT_FOUND"
        own = ws.subscribe(ORDER_UPDATES, {"orderId": mine["id"]})
        feed = ws.subscribe(ORDER_EVENTS, {})
        await server.wait_for_feeds(2)
        await override(server.api, theirs["id"], "TOR")
        await override(server.api, mine["id"], "TOR")
        assert kind(await own.next()) == ("ROUTING_OVERRIDDEN", mine["id"])
        assert [kind(r, "orderEvents") for r in await feed.drain(0.5)] == [
            ("ROUTING_OVERRIDDEN", mine["id"])]


@pytest.mark.parametrize(("scopes", "variables", "code"), [
    (["availability:read"], {}, "FORBIDDEN"),
    (["orders:read"], {"channels": ["nowhere"]}, "UNKNOWN_CHANNEL"),
])
async def test_order_events_refusals(server, scopes, variables, code):
    await given_shop(server)
    token = await make_token(scopes)
    async with ws_session(server.ws_url, token) as ws:
        with pytest.raises(TransportQueryError) as refused:
            await ws.subscribe(ORDER_EVENTS, variables).next()
    assert refused.value.errors[0]["extensions"]["code"] == code


async def test_partner_cannot_watch_another_channel(server):
    await given_shop(server)
    partner = await make_token(["orders:read"], channels=["marketplace"])
    order = await place(server.api, ("A", 1))
    async with ws_session(server.ws_url, partner) as ws:
        with pytest.raises(TransportQueryError) as refused:
            await ws.subscribe(ORDER_EVENTS, {"channels": ["web"]}).next()
        assert refused.value.errors[0]["extensions"]["code"] == "UNKNOWN_CHANNEL"
        with pytest.raises(TransportQueryError) as hidden:
            await ws.subscribe(ORDER_UPDATES, {"orderId": order["id"]}).next()
        assert hidden.value.errors[0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_bad_after_is_invalid_input(server):
    await given_shop(server)
    order = await place(server.api, ("A", 1))
    async with ws_session(server.ws_url, server.api.token) as ws:
        with pytest.raises(TransportQueryError) as refused:
            await ws.subscribe(ORDER_UPDATES, {"orderId": order["id"], "after": "x"}).next()
    assert refused.value.errors[0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_fault_in_an_event_stream_reaches_the_client_masked(server, monkeypatch):
    await given_shop(server)

    async def broken(payloads: list[object]) -> None:
        raise RuntimeError('SELECT secret FROM "api_token" at /srv/oms/order_watch.py')

    monkeypatch.setattr("oms.events.order_watch.events_of", broken)
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(ORDER_EVENTS, {})
        await server.wait_for_feeds(1)
        await place(server.api, ("A", 1))
        with pytest.raises(TransportQueryError) as fault:
            await sub.next()
    (error,) = fault.value.errors
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR" and error["extensions"]["errorId"]
    assert "secret" not in str(error) and "/srv" not in str(error)


async def test_slow_dashboard_is_cut_off_and_can_resume(server):
    await given_shop(server)
    server.hub.order_queue_size = 1
    order = await place(server.api, ("A", 1))
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(ORDER_EVENTS, {})
        await server.wait_for_feeds(1)
        feed = next(iter(server.hub._orders[None]))
        for event_id in (1, 2, 3):  # offered faster than anyone could read them
            feed.offer({"order_id": order["id"], "event_id": event_id, "channel": "web",
                        "customer_ref": None, "type": "X", "status": "CREATED"})
        with pytest.raises(TransportQueryError) as cut:
            await sub.drain(1.0)
        assert cut.value.errors[0]["extensions"]["code"] == "SUBSCRIBER_TOO_SLOW"
        await server.wait_for_feeds(0)


RESERVE = """
mutation($input: ReserveInput!) {
  reserve(input: $input) { reservation { id } userErrors { code message } }
}"""
RELEASE = """
mutation($id: ID!) { releaseReservation(id: $id) { userErrors { code message } } }"""
CANCEL = """
mutation($input: CancelOrderInput!) {
  cancelOrder(input: $input) { order { status } userErrors { code message } }
}"""
STOCK_UPDATES = """
subscription { stockUpdates(channel: "web", skus: ["A"]) { sku available } }"""


async def test_holds_placements_and_cancellations_push_stock(server):
    await given_shop(server)  # A: 10 at MIL + 10 at TOR
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(STOCK_UPDATES)
        await server.wait_for_feeds(1)

        async def total() -> int:
            return (await sub.next())["stockUpdates"]["available"]

        held = await server.api(RESERVE, {"input": {"channel": "web",
                                                    "lines": [{"sku": "A", "quantity": 4}]}})
        assert held["reserve"]["userErrors"] == [] and await total() == 16
        await server.api(RELEASE, {"id": held["reserve"]["reservation"]["id"]})
        assert await total() == 20
        order = await place(server.api, ("A", 5))
        assert await total() == 15
        cancelled = await server.api(CANCEL, {"input": {"orderId": order["id"], "reason": "test"}})
        assert cancelled["cancelOrder"]["userErrors"] == []
        assert await total() == 20


async def test_each_event_reads_the_order_afresh(server):
    """One socket, one operation: a socket-long loader cache would serve ALLOCATED again."""
    await given_shop(server)
    order = await place(server.api, ("A", 2))
    async with ws_session(server.ws_url, server.api.token) as ws:
        sub = ws.subscribe(ORDER_UPDATES, {"orderId": order["id"]})
        await server.wait_for_feeds(1)
        await override(server.api, order["id"], "TOR")
        first = (await sub.next())["orderUpdates"]
        await server.api(CANCEL, {"input": {"orderId": order["id"], "reason": "changed mind"}})
        later = [r["orderUpdates"] for r in await sub.drain(1.0)]
    assert first["order"]["status"] == "ALLOCATED"
    assert later and later[-1]["event"]["status"] == "CANCELLED"
    assert later[-1]["order"]["status"] == "CANCELLED"
