"""replaySourcing through the API: orders placed under one rule, replayed under another, with
the figures worked out by hand on a small network (stock rebuilt from the ledger).

Network (tests.order_helpers): destination Bergamo; MIL 46 km, TOR 170 km, ROM 480 km away.
Before the window: A at MIL 2, TOR 5, ROM 5. Live rule: the default (nearest first).
  order 1: 2 A -> MIL           (left: MIL 0, TOR 5, ROM 5)
  an adjustment: ROM +3         (ROM 8)
  order 2: 3 A -> TOR           (TOR 2)
  order 3: 4 A -> ROM (holds 8) (ROM 4)
Tried rule B: priority first (ROM 1, TOR 5, MIL 10), capacity not respected (ROM caps 1/day).
At order time, each order meets the ledger's stock less what the replay gave earlier orders:
  order 1: ROM 5 -> ROM 2       (ROM 3)
  adjustment: ROM 6
  order 2: ROM 6 -> ROM 3       (ROM 3)
  order 3: ROM 3 < 4, TOR 5 -> TOR 4
Today's stock instead (MIL 0, TOR 2, ROM 4):
  order 1: ROM 2 (ROM 2); order 2: ROM 2 + TOR 1 (split); order 3: TOR 1, 3 backordered.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from math import asin, cos, radians, sin, sqrt
from typing import Any

import pytest

from oms.clock import ManualClock, use
from tests.conftest import Api, make_token
from tests.helpers import ADJUST, channel
from tests.order_helpers import BERGAMO, PLACES, network, place, rule, stock

REPLAY = """
query($input: SourcingReplayInput!) { replaySourcing(input: $input) {
  ordersInWindow changedOrders elapsedMs
  actual { ...outcome } replayed { ...outcome }
  examples(first: 5) { order { id number }
    actual { node { code } sku quantity } replayed { node { code } sku quantity } }
} }
fragment outcome on SourcingOutcome {
  orders fullySourced backorderedUnits shipments splitRate meanDistanceKm capacityBreaches
  nodeLoad { node { code } units fulfillments }
}"""
RULE_B = {"name": "B: priority", "rank": 1, "weights": {"distance": 0, "priority": 1},
          "respectCapacity": False}
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def km(code: str) -> float:
    """Great-circle km from node `code` to Bergamo, worked out here on its own."""
    (lat1, lon1), place_ = PLACES[code], BERGAMO["location"]
    lat1, lon1 = radians(lat1), radians(lon1)
    lat2, lon2 = radians(place_["latitude"]), radians(place_["longitude"])
    chord = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * asin(sqrt(chord))


async def replay(api: Api, **fields: Any) -> dict[str, Any]:
    data = await api(REPLAY, {"input": {"from": fields.pop("start").isoformat(),
                                        "to": fields.pop("end").isoformat(), **fields}})
    result: dict[str, Any] = data["replaySourcing"]
    return result


def load(outcome: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {n["node"]["code"]: (n["units"], n["fulfillments"]) for n in outcome["nodeLoad"]}


@pytest.fixture
async def history(api: Api) -> dict[str, Any]:
    """Three orders placed under the default rule, a minute apart, with an adjustment between."""
    with use(ManualClock(START)) as clock:
        await network(api, ("MIL", "TOR", "ROM"), MIL={"priority": 10}, TOR={"priority": 5},
                      ROM={"priority": 1, "dailyCapacity": 1})
        await stock(api, ("A", "MIL", 2), ("A", "TOR", 5), ("A", "ROM", 5))
        clock.advance(60)
        opened = clock.now()
        clock.advance(60)
        first = await place(api, ("A", 2))
        clock.advance(60)
        adjusted = await api(ADJUST, {"adjustments": [{"sku": "A", "nodeCode": "ROM", "delta": 3}]})
        assert adjusted["adjustInventory"]["userErrors"] == []
        clock.advance(60)
        second = await place(api, ("A", 3))
        clock.advance(60)
        third = await place(api, ("A", 4))
        clock.advance(60)
        return {"start": opened, "end": clock.now(), "orders": [first, second, third]}


async def test_replay_under_another_rule_meets_the_stock_of_each_order_time(
        api: Api, history: dict[str, Any]) -> None:
    out = await replay(api, start=history["start"], end=history["end"], rules=[RULE_B])
    assert out["ordersInWindow"] == 3
    actual, replayed = out["actual"], out["replayed"]
    assert load(actual) == {"MIL": (2, 1), "TOR": (3, 1), "ROM": (4, 1)}
    assert (actual["orders"], actual["fullySourced"], actual["backorderedUnits"],
            actual["shipments"], actual["splitRate"], actual["capacityBreaches"]) == (3, 3, 0, 3, 0, 0)
    assert actual["meanDistanceKm"] == pytest.approx((km("MIL") + km("TOR") + km("ROM")) / 3,
                                                     abs=1e-3)
    assert load(replayed) == {"ROM": (5, 2), "TOR": (4, 1)}
    assert (replayed["orders"], replayed["fullySourced"], replayed["backorderedUnits"],
            replayed["shipments"], replayed["splitRate"]) == (3, 3, 0, 3, 0)
    assert replayed["capacityBreaches"] == 1  # ROM, capped at 1 a day, ships twice
    assert replayed["meanDistanceKm"] == pytest.approx((2 * km("ROM") + km("TOR")) / 3, abs=1e-3)
    assert out["changedOrders"] == 3
    sides = [(e["order"]["id"], [(a["node"]["code"], a["quantity"]) for a in e["actual"]],
              [(a["node"]["code"], a["quantity"]) for a in e["replayed"]]) for e in out["examples"]]
    ids = [order["id"] for order in history["orders"]]
    assert sides == [(ids[0], [("MIL", 2)], [("ROM", 2)]), (ids[1], [("TOR", 3)], [("ROM", 3)]),
                     (ids[2], [("ROM", 4)], [("TOR", 4)])]


async def test_replay_on_todays_stock(api: Api, history: dict[str, Any]) -> None:
    out = await replay(api, start=history["start"], end=history["end"], rules=[RULE_B],
                       stock="CURRENT")
    replayed = out["replayed"]
    assert load(replayed) == {"ROM": (4, 2), "TOR": (2, 2)}
    assert (replayed["fullySourced"], replayed["backorderedUnits"], replayed["shipments"],
            replayed["splitRate"]) == (2, 3, 4, pytest.approx(1 / 3, abs=1e-6))
    assert out["actual"]["shipments"] == 3  # what was done does not depend on the stock asked


async def test_the_live_rules_replayed_at_order_time_change_nothing(
        api: Api, history: dict[str, Any]) -> None:
    out = await replay(api, start=history["start"], end=history["end"])
    assert out["changedOrders"] == 0 and out["examples"] == []
    assert out["replayed"] == out["actual"]


async def test_a_named_live_rule_is_replaced_and_nothing_is_written(
        api: Api, history: dict[str, Any]) -> None:
    live = await rule(api, name="nearest", rank=1)
    before = await api("{ routingRules { id name version } }")
    out = await replay(api, start=history["start"], end=history["end"],
                       rules=[{**RULE_B, "id": live["id"]}])
    assert out["changedOrders"] == 3
    assert await api("{ routingRules { id name version } }") == before


async def test_a_limit_samples_the_window(api: Api, history: dict[str, Any]) -> None:
    out = await replay(api, start=history["start"], end=history["end"], limit=2)
    assert out["ordersInWindow"] == 3 and out["actual"]["orders"] == 2
    again = await replay(api, start=history["start"], end=history["end"], limit=2)
    assert load(again["actual"]) == load(out["actual"])  # the same sample every time


async def test_an_empty_window(api: Api, history: dict[str, Any]) -> None:
    later = history["end"] + timedelta(days=1)
    out = await replay(api, start=later, end=later + timedelta(hours=1), rules=[RULE_B])
    assert out["ordersInWindow"] == 0 and out["replayed"]["orders"] == 0
    assert out["replayed"]["meanDistanceKm"] == 0 and out["replayed"]["nodeLoad"] == []


async def test_bad_input_is_refused_with_codes(api: Api, history: dict[str, Any]) -> None:
    start, end = history["start"], history["end"]
    raw = await api.raw(REPLAY, {"input": {"from": end.isoformat(), "to": start.isoformat(),
                                           "limit": 0, "channel": "nope",
                                           "rules": [{"name": " ", "rank": 1, "maxSplits": 0}]}})
    assert raw.get("data") is None
    [error] = raw["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": ["to"]}
    for problem in ("from must be before to", "limit must be 1..", "unknown channel 'nope'",
                    "rules[0]: name must not be empty", "rules[0]: maxSplits must be at least 1"):
        assert problem in error["message"], error


async def test_a_channel_limited_token_replays_only_its_channels(
        api: Api, history: dict[str, Any]) -> None:
    await channel(api, "other")
    limited = api.as_(await make_token(["routing:write"], channels=["other"]))
    out = await replay(limited, start=history["start"], end=history["end"])
    assert out["ordersInWindow"] == 0
    web_rule = await rule(api, name="web only", rank=1, channels=["web"])
    unseen = await limited.raw(REPLAY, {"input": {
        "from": history["start"].isoformat(), "to": history["end"].isoformat(),
        "rules": [{**RULE_B, "id": web_rule["id"], "channels": ["other"]}]}})
    assert unseen["errors"][0]["extensions"]["code"] == "NOT_FOUND"  # as upsertRoutingRule says
    customer = api.as_(await make_token(["orders:read:own"], customer_ref="c1"))
    raw = await customer.raw(REPLAY, {"input": {"from": history["start"].isoformat(),
                                                "to": history["end"].isoformat()}})
    assert raw["errors"][0]["extensions"]["code"] == "FORBIDDEN"


RESERVE = """mutation($input: ReserveInput!) { reserve(input: $input) {
  reservation { id } userErrors { code } } }"""


async def test_an_order_placed_from_a_cart_hold_meets_the_units_the_cart_held(api: Api) -> None:
    """Placement counts the cart's units as free to the order consuming them; so does the
    replay, whether the cart was filled inside the window or before it opened."""
    with use(ManualClock(START)) as clock:
        await network(api, ("MIL", "TOR"))
        await stock(api, ("A", "MIL", 3), ("A", "TOR", 3))
        clock.advance(60)
        before_cart = clock.now()
        made = await api(RESERVE, {"input": {"channel": "web",
                                             "lines": [{"sku": "A", "quantity": 3}]}})
        cart = made["reserve"]["reservation"]["id"]
        clock.advance(60)
        after_cart = clock.now()
        clock.advance(60)
        order = await place(api, ("A", 3), reservationId=cart)
        clock.advance(60)
        end = clock.now()
    decided = await api("query($id: ID!) { sourcingDecision(orderId: $id) { "
                        "allocations { node { code } } } }", {"id": order["id"]})
    assert [a["node"]["code"] for a in decided["sourcingDecision"]["allocations"]] == ["MIL"]
    for start in (before_cart, after_cart):
        out = await replay(api, start=start, end=end)
        assert out["replayed"]["orders"] == 1
        assert load(out["replayed"]) == {"MIL": (3, 1)}, start
        assert out["changedOrders"] == 0
