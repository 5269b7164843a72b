"""STOCK_LOW through the API: one `stock.low` outbox event per downward crossing of a
position's reorder point (available = max(0, onHand - reserved - safetyStock)), whatever
moved the stock (orders, cart holds, syncs, adjustments), none for work rolled back, one
when concurrent orders cross together; and the `stockAlerts` subscription over a real
websocket, filtered by node and by the token's limits."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from oms.models import OutboxEvent
from tests.conftest import make_token
from tests.helpers import ADJUST, SYNC
from tests.order_helpers import PLACE, network, order_input, place, stock
from tests.servers import live_server, ws_session
from tests.test_replenishment import policy, set_policies

ALERTS = """
subscription($nodes: [String!]) {
  stockAlerts(nodeCodes: $nodes) { sku node { code } available reorderPoint at }
}"""
RESERVE = """
mutation($input: ReserveInput!) {
  reserve(input: $input) { reservation { id } userErrors { code field } }
}"""


async def lows() -> list[tuple[str, str, int, int]]:
    """(sku, node, available, reorder point) of every stock.low event, oldest first."""
    rows = await OutboxEvent.filter(topic="stock.low").order_by("id").values_list("payload", flat=True)
    return [(p["sku"], p["node_code"], p["available"], p["reorder_point"]) for p in rows]


async def adjust(api: Any, sku: str, node: str, delta: int) -> list[dict[str, Any]]:
    data = await api(ADJUST, {"adjustments": [{"sku": sku, "nodeCode": node, "delta": delta}]})
    return data["adjustInventory"]["userErrors"]


async def given(api: Any, on_hand: int = 10, point: int = 5, at_tor: int = 50) -> None:
    """A at MIL (the nearest node to Bergamo) with `on_hand`, reorder point `point`; A at TOR
    (no policy) with `at_tor`."""
    await network(api)
    await stock(api, ("A", "MIL", on_hand), ("A", "TOR", at_tor))
    assert (await set_policies(api, policy("A", "MIL", point, 40)))["userErrors"] == []


async def test_once_per_crossing_and_again_after_rising_above(api: Any) -> None:
    await given(api)
    await place(api, ("A", 4))  # 10 -> 6: above the point
    assert await lows() == []
    await place(api, ("A", 1))  # 6 -> 5: at the point, crossed
    assert await lows() == [("A", "MIL", 5, 5)]
    await place(api, ("A", 2))  # 5 -> 3: further down, nothing new
    await place(api, ("A", 3))  # 3 -> 0
    assert len(await lows()) == 1
    assert await adjust(api, "A", "MIL", 10) == []  # 0 -> 10: above again, re-armed
    assert len(await lows()) == 1
    await place(api, ("A", 6))  # 10 -> 4: a second crossing
    assert await lows() == [("A", "MIL", 5, 5), ("A", "MIL", 4, 5)]


async def test_every_stock_writer_reports_a_crossing(api: Any) -> None:
    await given(api, on_hand=20, point=5, at_tor=0)
    hold = (await api(RESERVE, {"input": {"channel": "web", "lines": [{"sku": "A", "quantity": 15}]}}))
    assert hold["reserve"]["userErrors"] == []  # a cart hold: 20 -> 5
    assert await lows() == [("A", "MIL", 5, 5)]
    await stock(api, ("A", "MIL", 30))  # a sync: 30 - 15 = 15, above
    data = await api(SYNC, {"records": [{"sku": "A", "nodeCode": "MIL", "onHand": 30,
                                         "safetyStock": 12}]})
    assert data["syncInventory"]["userErrors"] == []  # safety stock 12: 30 - 15 - 12 = 3
    assert await adjust(api, "A", "MIL", 20) == []  # 50 - 15 - 12 = 23
    assert await adjust(api, "A", "MIL", -19) == []  # an adjustment: 4
    assert await lows() == [("A", "MIL", 5, 5), ("A", "MIL", 3, 5), ("A", "MIL", 4, 5)]


async def test_positions_without_a_policy_and_rolled_back_work_report_nothing(api: Any) -> None:
    await given(api)
    assert await adjust(api, "A", "TOR", -49) == []  # TOR has no policy: 50 -> 1
    refused = await api(ADJUST, {"adjustments": [
        {"sku": "A", "nodeCode": "MIL", "delta": -8},  # 10 -> 2 would cross...
        {"sku": "A", "nodeCode": "TOR", "delta": -5},  # ...but this one is refused: all or none
    ]})
    assert [e["code"] for e in refused["adjustInventory"]["userErrors"]] == ["BELOW_RESERVED"]
    assert await lows() == []


async def test_two_concurrent_orders_crossing_together_make_one_event(api: Any) -> None:
    """Eight orders of 1 race for A at MIL (10, point 5): the one taking it from 6 to 5 is
    the only one that sees the crossing, whatever the interleaving."""
    await given(api, on_hand=10, point=5)
    bodies = await asyncio.gather(*[
        api.raw(PLACE, {"input": order_input(("A", 1), customerRef=f"c-{n}")}) for n in range(8)])
    assert all(b["data"]["placeOrder"]["userErrors"] == [] for b in bodies)
    assert await lows() == [("A", "MIL", 5, 5)]


@pytest.fixture
async def server(database: Any, admin_token: str) -> Any:
    async with live_server(database, admin_token) as running:
        yield running


async def test_alerts_reach_the_subscribers_of_that_node(server: Any) -> None:
    await given(server.api)
    await stock(server.api, ("B", "TOR", 10))
    assert (await set_policies(server.api, policy("B", "TOR", 8, 40)))["userErrors"] == []
    await server.settle()
    tor_only = await make_token(["fulfillment:write"], nodes=["TOR"])
    async with ws_session(server.ws_url, server.api.token) as ws, \
            ws_session(server.ws_url, tor_only) as till:
        mil = ws.subscribe(ALERTS, {"nodes": ["MIL"]})
        every = ws.subscribe(ALERTS, {"nodes": None})
        at_tor = till.subscribe(ALERTS, {"nodes": None})  # its nodes: TOR only
        await server.wait_for_feeds(3)
        await place(server.api, ("A", 5))  # MIL 10 -> 5
        alert = (await mil.next())["stockAlerts"]
        assert (alert["sku"], alert["node"], alert["available"], alert["reorderPoint"]) == (
            "A", {"code": "MIL"}, 5, 5)
        assert alert["at"]
        assert (await every.next())["stockAlerts"]["node"] == {"code": "MIL"}
        await place(server.api, ("A", 1))  # further down: nothing
        assert await adjust(server.api, "B", "TOR", -2) == []  # TOR 10 -> 8
        assert (await at_tor.next())["stockAlerts"]["node"] == {"code": "TOR"}
        assert (await every.next())["stockAlerts"]["node"] == {"code": "TOR"}
        assert await mil.drain(0.3) == [] and await at_tor.drain(0.3) == []


async def test_subscribing_to_nodes_one_may_not_see_is_refused(server: Any) -> None:
    await network(server.api)
    tor_only = await make_token(["inventory:write"], nodes=["TOR"])
    buyer = await make_token(["orders:write"])
    for token, nodes, code in ((server.api.token, ["NOWHERE"], "UNKNOWN_NODE"),
                               (tor_only, ["MIL"], "NODE_NOT_ALLOWED"),
                               (buyer, None, "FORBIDDEN")):
        async with ws_session(server.ws_url, token) as ws:
            with pytest.raises(TransportQueryError) as refused:
                await ws.subscribe(ALERTS, {"nodes": nodes}).next()
        assert refused.value.errors[0]["extensions"]["code"] == code
