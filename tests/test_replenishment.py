"""Reorder policies, lowStock and replenishmentSuggestions through GraphQL, against figures
worked out by hand from orders scripted on a ManualClock.

Now is T. Day k of the 28-day window holds what was sourced in (T - (k+1) d, T - k d];
each order is placed at T - k d - 2 h. Nodes (order_helpers.network): MIL nearest to
Bergamo, then TOR. Stock: A 100 at MIL and 10 at TOR, B 5 at TOR, C 50 at MIL.

  day 0   A x3        MIL
  day 1   A x1, A x1  MIL (two orders: 2 that day)
  day 2   A x1        MIL, cancelled the same day (its units leave: 0)
  day 3   A x2        MIL, rejected there: re-sourced to TOR (TOR's 2, not MIL's)
  day 5   A x4        MIL
  day 27  A x1        MIL (the window's oldest day)
  day 28  A x5        MIL (outside the window: not demand, still reserved)

A at MIL: daily demands 3, 2, 4, 1 on days 0, 1, 5, 27 and 0 on the other 24 days:
  sum 10, mean 10/28; population variance 30/28 - (10/28)^2 = 0.943878, sd 0.971534;
  lead time 4 days: 1.65 x 0.971534 x 2 = 3.206 -> safety stock 4.
  onHand 100, reserved 3 + 2 + 4 + 1 + 5 = 15, inbound 10 (synced): suggested 150 - 95 = 55,
  days of cover 85 / (10/28) = 238.
A at TOR: 2 on day 3: mean 2/28, variance 4/28 - (2/28)^2 = 0.137755, sd 0.371154; lead
  7 days (the default): 1.65 x 0.371154 x sqrt(7) = 1.620 -> 2. onHand 10, reserved 2:
  suggested 20 - 8 = 12, days of cover 8 / (2/28) = 112.
B at TOR: no demand: daily 0, days of cover null, safety 0, suggested 30 - 5 = 25.
C at MIL: 50 on hand, point 10: neither low nor to reorder.
"""
from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from oms import clock
from tests.conftest import make_token
from tests.helpers import SYNC
from tests.journeys import cancel, fulfillment_at, ok, order, reject
from tests.order_helpers import network, place, stock

T = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)
SET = """
mutation($policies: [ReorderPolicyInput!]!) {
  setReorderPolicies(policies: $policies) {
    policies { sku node { code } reorderPoint targetLevel leadTimeDays }
    userErrors { code message field }
  }
}"""
POLICIES = """
query($node: String, $sku: String) {
  reorderPolicies(nodeCode: $node, sku: $sku) { sku node { code } reorderPoint targetLevel leadTimeDays }
}"""
LOW = """
query($node: String, $first: Int) {
  lowStock(nodeCode: $node, first: $first) { sku node { code } available reorderPoint at }
}"""
SUGGESTIONS = """
query($node: String, $first: Int) {
  replenishmentSuggestions(nodeCode: $node, first: $first) {
    sku node { code } onHand reserved inbound reorderPoint targetLevel suggestedQuantity
    dailyDemand daysOfCover suggestedSafetyStock
  }
}"""

POSITIONS = "query($sku: String!) { inventory(sku: $sku) { node { code } onHand available inbound } }"


async def positions(api: Any, sku: str) -> dict[str, dict[str, Any]]:
    return {p["node"]["code"]: p for p in (await api(POSITIONS, {"sku": sku}))["inventory"]}


def policy(sku: str, node: str, point: int, target: int, **extra: Any) -> dict[str, Any]:
    return {"sku": sku, "nodeCode": node, "reorderPoint": point, "targetLevel": target, **extra}


async def set_policies(api: Any, *policies: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    return (await api(SET, {"policies": list(policies)}, token=token))["setReorderPolicies"]


def on_day(time: clock.ManualClock, day: int) -> None:
    time.advance((T - timedelta(days=day, hours=2) - time.now()).total_seconds())


async def script(api: Any, time: clock.ManualClock) -> None:
    """The orders above, through the API."""
    on_day(time, 40)
    await network(api)
    await stock(api, ("A", "MIL", 100), ("A", "TOR", 10), ("B", "TOR", 5), ("C", "MIL", 50))
    for day, quantity in ((28, 5), (27, 1), (5, 4), (1, 1), (1, 1), (0, 3)):
        on_day(time, day)
        placed = await place(api, ("A", quantity))
        assert fulfillment_at(placed, "MIL")
    on_day(time, 2)
    await ok(await cancel(api, (await place(api, ("A", 1)))["id"]))
    on_day(time, 3)
    rejected = await place(api, ("A", 2))
    await ok(await reject(api, fulfillment_at(rejected, "MIL")["id"], "shelf empty"))
    assert fulfillment_at(await order(api, rejected["id"]), "TOR", "PENDING")
    time.advance((T - time.now()).total_seconds())
    data = await api(SYNC, {"records": [{"sku": "A", "nodeCode": "MIL", "onHand": 100, "inbound": 10}]})
    assert data["syncInventory"]["userErrors"] == []
    made = await set_policies(api, policy("A", "MIL", 95, 150, leadTimeDays=4),
                              policy("A", "TOR", 8, 20), policy("B", "TOR", 10, 30),
                              policy("C", "MIL", 10, 60, leadTimeDays=0))
    assert made["userErrors"] == []


@pytest.fixture
async def scripted(api: Any) -> AsyncIterator[Any]:
    with clock.use(clock.ManualClock(T)) as time:
        assert isinstance(time, clock.ManualClock)
        await script(api, time)
        yield api


async def test_policies_are_stored_and_listed(scripted: Any) -> None:
    listed = (await scripted(POLICIES))["reorderPolicies"]
    assert [(p["sku"], p["node"]["code"], p["reorderPoint"], p["targetLevel"], p["leadTimeDays"])
            for p in listed] == [("A", "MIL", 95, 150, 4.0), ("A", "TOR", 8, 20, 7.0),
                                 ("B", "TOR", 10, 30, 7.0), ("C", "MIL", 10, 60, 0.0)]
    only = (await scripted(POLICIES, {"node": "TOR", "sku": "A"}))["reorderPolicies"]
    assert [(p["sku"], p["node"]["code"]) for p in only] == [("A", "TOR")]
    # setting again replaces the policy
    again = await set_policies(scripted, policy("A", "TOR", 9, 25, leadTimeDays=2.5))
    assert again["policies"] == [{"sku": "A", "node": {"code": "TOR"}, "reorderPoint": 9,
                                  "targetLevel": 25, "leadTimeDays": 2.5}]
    assert (await scripted(POLICIES, {"node": "TOR", "sku": "A"}))["reorderPolicies"] == \
        again["policies"]


async def test_inbound_is_stored_on_the_position_and_kept_when_a_sync_omits_it(scripted: Any) -> None:
    assert (await positions(scripted, "A"))["MIL"]["inbound"] == 10
    await stock(scripted, ("A", "MIL", 100))
    assert (await positions(scripted, "A"))["MIL"]["inbound"] == 10
    data = await scripted(SYNC, {"records": [{"sku": "A", "nodeCode": "MIL", "onHand": 100,
                                              "inbound": -1}]})
    assert [(e["code"], e["field"]) for e in data["syncInventory"]["userErrors"]] == [
        ("NEGATIVE_QUANTITY", ["records", "0", "inbound"])]


async def test_low_stock_lists_positions_at_or_below_their_point(scripted: Any) -> None:
    low = (await scripted(LOW))["lowStock"]
    # A@MIL 100 - 15 = 85 <= 95; A@TOR 10 - 2 = 8 <= 8; B@TOR 5 <= 10; C@MIL 50 > 10
    assert [(a["sku"], a["node"]["code"], a["available"], a["reorderPoint"]) for a in low] == [
        ("A", "MIL", 85, 95), ("A", "TOR", 8, 8), ("B", "TOR", 5, 10)]
    assert {a["at"] for a in low} == {T.isoformat()}
    at_tor = (await scripted(LOW, {"node": "TOR", "first": 1}))["lowStock"]
    assert [(a["sku"], a["node"]["code"]) for a in at_tor] == [("A", "TOR")]
    assert (await scripted(LOW, {"node": "NOWHERE"}))["lowStock"] == []


async def test_suggestions_match_the_hand_computed_figures(scripted: Any) -> None:
    got = {(s["sku"], s["node"]["code"]): s
           for s in (await scripted(SUGGESTIONS))["replenishmentSuggestions"]}
    assert list(got) == [("A", "MIL"), ("A", "TOR"), ("B", "TOR")]  # by SKU, then node
    a_mil = got[("A", "MIL")]
    assert (a_mil["onHand"], a_mil["reserved"], a_mil["inbound"], a_mil["reorderPoint"],
            a_mil["targetLevel"]) == (100, 15, 10, 95, 150)
    assert a_mil["suggestedQuantity"] == 150 - (100 - 15 + 10)
    assert a_mil["dailyDemand"] == pytest.approx(10 / 28)
    assert a_mil["daysOfCover"] == pytest.approx(238.0)
    sd = math.sqrt(30 / 28 - (10 / 28) ** 2)
    assert sd == pytest.approx(0.971534, abs=1e-6)
    assert a_mil["suggestedSafetyStock"] == math.ceil(1.65 * sd * math.sqrt(4)) == 4
    a_tor = got[("A", "TOR")]
    assert (a_tor["onHand"], a_tor["reserved"], a_tor["inbound"]) == (10, 2, 0)
    assert a_tor["suggestedQuantity"] == 12
    assert a_tor["dailyDemand"] == pytest.approx(2 / 28)
    assert a_tor["daysOfCover"] == pytest.approx(112.0)
    assert a_tor["suggestedSafetyStock"] == 2  # ceil(1.65 x 0.371154 x sqrt(7)) = ceil(1.620)
    b_tor = got[("B", "TOR")]
    assert (b_tor["suggestedQuantity"], b_tor["dailyDemand"], b_tor["daysOfCover"],
            b_tor["suggestedSafetyStock"]) == (25, 0.0, None, 0)


async def test_a_day_later_the_window_moves(scripted: Any) -> None:
    """At T + 1 d the oldest day (27, 1 unit) leaves the window and day 28 stays out."""
    with clock.use(clock.ManualClock(T + timedelta(days=1))):
        got = {(s["sku"], s["node"]["code"]): s
               for s in (await scripted(SUGGESTIONS, {"node": "MIL"}))["replenishmentSuggestions"]}
    a_mil = got[("A", "MIL")]
    assert a_mil["dailyDemand"] == pytest.approx(9 / 28)  # 3 + 2 + 4
    sd = math.sqrt((9 + 4 + 16) / 28 - (9 / 28) ** 2)
    assert a_mil["suggestedSafetyStock"] == math.ceil(1.65 * sd * 2)


async def test_inbound_stock_holds_back_a_suggestion(scripted: Any) -> None:
    """B at TOR: with 20 on the way, 5 + 20 > 10: nothing to order (still low on the shelf)."""
    data = await scripted(SYNC, {"records": [{"sku": "B", "nodeCode": "TOR", "onHand": 5,
                                              "inbound": 20}]})
    assert data["syncInventory"]["userErrors"] == []
    found = (await scripted(SUGGESTIONS, {"node": "TOR"}))["replenishmentSuggestions"]
    assert [(s["sku"], s["node"]["code"]) for s in found] == [("A", "TOR")]
    assert ("B", "TOR") in {(a["sku"], a["node"]["code"]) for a in (await scripted(LOW))["lowStock"]}


async def test_bad_policies_are_refused_with_one_code_each_and_nothing_is_written(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    refused = await set_policies(
        api, policy("A", "MIL", 1, 2),  # fine, but the call is all or none
        policy("A", "NOWHERE", 1, 2), policy("NOPE", "MIL", 1, 2), policy("A", "TOR", -1, 2),
        policy("A", "ROM", 5, 3), policy("A", "NAP", 1, 2, leadTimeDays=-1),
        policy("A", "MIL", 1, 2))
    assert refused["policies"] == []
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("UNKNOWN_NODE", ["policies", "1", "nodeCode"]),
        ("UNKNOWN_SKU", ["policies", "2", "sku"]),
        ("NEGATIVE_QUANTITY", ["policies", "3", "reorderPoint"]),
        ("INVALID_QUANTITY", ["policies", "4", "targetLevel"]),
        ("INVALID_INPUT", ["policies", "5", "leadTimeDays"]),
        ("DUPLICATE_RECORD", ["policies", "6"]),
    ]
    assert (await api(POLICIES))["reorderPolicies"] == []
    for bad in ({"first": -1}, {"first": 1001}):
        body = await api.raw(LOW, bad)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_policy_at_a_node_without_stock_makes_the_position(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    made = await set_policies(api, policy("A", "TOR", 0, 10))
    assert made["userErrors"] == []
    tor = (await positions(api, "A"))["TOR"]
    assert (tor["onHand"], tor["available"]) == (0, 0)
    low = (await api(LOW))["lowStock"]
    assert [(a["sku"], a["node"]["code"], a["available"]) for a in low] == [("A", "TOR", 0)]


async def test_a_node_limited_writer_sets_policies_at_its_nodes_only(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5), ("A", "TOR", 5))
    till = await make_token(["inventory:write"], nodes=["MIL"])
    refused = await set_policies(api, policy("A", "MIL", 1, 2), policy("A", "TOR", 1, 2),
                                 token=till)
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("NODE_NOT_ALLOWED", ["policies", "1", "nodeCode"])]
    assert (await set_policies(api, policy("A", "MIL", 1, 2), token=till))["userErrors"] == []
    await set_policies(api, policy("A", "TOR", 9, 20))
    seen = (await api(POLICIES, token=till))["reorderPolicies"]
    assert [(p["sku"], p["node"]["code"]) for p in seen] == [("A", "MIL")]
    assert (await api(LOW, {"node": "TOR"}, token=till))["lowStock"] == []
