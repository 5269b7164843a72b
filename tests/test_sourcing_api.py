"""Sourcing through placeOrder: each criterion changes the decision on a small network.

Destination Bergamo; nodes nearest first MIL, TOR, ROM, NAP (see order_helpers).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import make_token
from tests.helpers import available, positions
from tests.order_helpers import (
    DECISION_FIELDS,
    PLACE,
    RULE,
    network,
    order_input,
    place,
    rule,
    sources,
    stock,
)

DECISION = "query($id: ID!) { sourcingDecision(orderId: $id) { " + DECISION_FIELDS + " } }"
SIMULATE = ("query($input: PlaceOrderInput!) { simulateSourcing(input: $input) { "
            + DECISION_FIELDS + " } }")
OVERRIDE = """
mutation($input: RoutingOverrideInput!) {
  overrideRouting(input: $input) {
    order { status fulfillments { status node { code } lines { sku quantity } }
            events { type message data } }
    userErrors { code message field }
  }
}"""


async def decision(api: Any, order: dict[str, Any]) -> dict[str, Any]:
    return (await api(DECISION, {"id": order["id"]}))["sourcingDecision"]


def reasons(found: dict[str, Any]) -> dict[str, list[str]]:
    return {c["node"]["code"]: c["reasons"] for c in found["candidates"]}


async def test_nearest_node_wins_by_distance(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "ROM", 5), ("A", "TOR", 5), ("A", "NAP", 5), ("A", "MIL", 0))
    order = await place(api, ("A", 1))
    assert sources(order) == {"TOR": {"A": 1}}
    found = await decision(api, order)
    assert found["rule"]["name"] == "default"
    assert reasons(found)["TOR"] == ["170 km"]
    assert reasons(found)["ROM"] == ["480 km"]
    assert reasons(found)["MIL"] == ["no stock"]


async def test_priority_wins_with_priority_weight(api: Any) -> None:
    await network(api, NAP={"priority": 1}, MIL={"priority": 50})
    await stock(api, ("A", "MIL", 5), ("A", "NAP", 5))
    assert sources(await place(api, ("A", 1))) == {"MIL": {"A": 1}}
    await rule(api, name="by priority", weights={"distance": 0, "priority": 1})
    order = await place(api, ("A", 1))
    assert sources(order) == {"NAP": {"A": 1}}
    assert (await decision(api, order))["rule"]["name"] == "by priority"


async def test_store_first_prefers_stores_over_nearer_warehouses(api: Any) -> None:
    await network(api, ROM={"type": "STORE"})
    await stock(api, ("A", "MIL", 5), ("A", "ROM", 5))
    await rule(api, name="stores first", preferNodeTypes=["STORE", "WAREHOUSE"])
    assert sources(await place(api, ("A", 1))) == {"ROM": {"A": 1}}


async def test_node_at_daily_capacity_is_skipped(api: Any) -> None:
    await network(api, MIL={"dailyCapacity": 1})
    await stock(api, ("A", "MIL", 5), ("A", "TOR", 5))
    assert sources(await place(api, ("A", 1))) == {"MIL": {"A": 1}}
    second = await place(api, ("A", 1))
    assert sources(second) == {"TOR": {"A": 1}}
    assert reasons(await decision(api, second))["MIL"] == ["over daily capacity 1/1"]
    await rule(api, name="ignore capacity", respectCapacity=False)
    assert sources(await place(api, ("A", 1))) == {"MIL": {"A": 1}}


async def test_ship_complete_backorders_rather_than_split(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5), ("B", "TOR", 5))
    split = await place(api, ("A", 1), ("B", 1))
    assert sources(split) == {"MIL": {"A": 1}, "TOR": {"B": 1}}
    await rule(api, name="complete", splitPolicy="SHIP_COMPLETE")
    whole = await place(api, ("A", 1), ("B", 1))
    assert whole["status"] == "BACKORDERED" and whole["fulfillments"] == []
    assert [line["backorderedQuantity"] for line in whole["lines"]] == [1, 1]


async def test_max_splits_is_respected(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 1), ("A", "TOR", 1), ("A", "ROM", 1))
    await rule(api, name="two nodes", maxSplits=2)
    order = await place(api, ("A", 3))
    assert len(order["fulfillments"]) == 2
    assert order["status"] == "PARTIALLY_ALLOCATED"
    assert order["lines"][0]["backorderedQuantity"] == 1


async def test_fewest_nodes_preferred_over_nearest(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5), ("A", "ROM", 5), ("B", "ROM", 5))
    order = await place(api, ("A", 1), ("B", 1))
    assert sources(order) == {"ROM": {"A": 1, "B": 1}}


async def test_rule_applies_only_inside_its_window_and_channels(api: Any) -> None:
    await network(api, NAP={"priority": 1})
    await stock(api, ("A", "MIL", 5), ("A", "NAP", 5))
    now = datetime.now(UTC)
    later = {"weights": {"distance": 0, "priority": 1}}
    await rule(api, name="future", effectiveFrom=(now + timedelta(days=1)).isoformat(), **later)
    await rule(api, name="past", rank=0, effectiveTo=(now - timedelta(days=1)).isoformat(), **later)
    assert sources(await place(api, ("A", 1))) == {"MIL": {"A": 1}}
    await rule(api, name="now", rank=5, effectiveFrom=(now - timedelta(hours=1)).isoformat(),
               effectiveTo=(now + timedelta(hours=1)).isoformat(), **later)
    assert sources(await place(api, ("A", 1))) == {"NAP": {"A": 1}}


async def test_rule_validation_listing_and_delete(api: Any) -> None:
    await network(api)
    now = datetime.now(UTC)
    bad = {"name": "bad", "rank": 1, "maxSplits": 0, "channels": ["nope"],
           "weights": {"distance": -1},
           "effectiveFrom": now.isoformat(), "effectiveTo": (now - timedelta(hours=1)).isoformat()}
    out = (await api(RULE, {"input": bad}))["upsertRoutingRule"]
    assert out["rule"] is None
    assert sorted(e["code"] for e in out["userErrors"]) == [
        "INVALID_RULE", "INVALID_RULE", "INVALID_RULE", "UNKNOWN_CHANNEL"]
    made = await rule(api, name="web only", channels=["web"], maxSplits=2)
    updated = await rule(api, id=made["id"], name="web only", rank=3, maxSplits=1)
    assert (updated["id"], updated["maxSplits"], updated["rank"]) == (made["id"], 1, 3)
    listed = (await api("{ routingRules { id name maxSplits weights { distance } } }"))
    assert listed["routingRules"] == [{"id": made["id"], "name": "web only", "maxSplits": 1,
                                       "weights": {"distance": 1.0}}]
    gone = await api("mutation($id: ID!) { deleteRoutingRule(id: $id) { rule { id } "
                     "userErrors { code } } }", {"id": made["id"]})
    assert gone["deleteRoutingRule"]["rule"]["id"] == made["id"]
    again = await api("mutation($id: ID!) { deleteRoutingRule(id: $id) { rule { id } "
                      "userErrors { code } } }", {"id": made["id"]})
    assert again["deleteRoutingRule"]["userErrors"] == [{"code": "NOT_FOUND"}]
    clerk = await make_token(["orders:write"])
    body = await api.raw(RULE, {"input": {"name": "x", "rank": 1}}, token=clerk)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_simulate_explains_and_writes_nothing(api: Any) -> None:
    await network(api, NAP={"active": False})
    await api("""mutation { upsertChannel(input: {code: "web", name: "web", type: WEB,
                 currency: "EUR", excludedNodeCodes: ["ROM"]}) { userErrors { code } } }""")
    await stock(api, ("A", "MIL", 5), ("A", "ROM", 5), ("A", "NAP", 5))
    found = (await api(SIMULATE, {"input": order_input(("A", 2))}))["simulateSourcing"]
    assert found["allocations"] == [{"node": {"code": "MIL"}, "sku": "A", "quantity": 2}]
    assert reasons(found)["ROM"] == ["excluded by channel web"]
    assert reasons(found)["NAP"] == ["inactive"]
    assert (await positions(api, "A"))["MIL"]["reserved"] == 0
    assert (await api("{ orders { totalCount } }"))["orders"]["totalCount"] == 0
    body = await api.raw(SIMULATE, {"input": order_input(("NOPE", 1))})
    assert body["errors"][0]["extensions"]["code"] == "UNKNOWN_SKU"


async def test_override_moves_units_and_holds(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5), ("A", "ROM", 5))
    order = await place(api, ("A", 2))
    no_stock = await api(OVERRIDE, {"input": {"orderId": order["id"], "nodeCode": "NAP",
                                              "reason": "MIL flooded"}})
    assert [e["code"] for e in no_stock["overrideRouting"]["userErrors"]] == ["NODE_HAS_NO_STOCK"]
    moved = (await api(OVERRIDE, {"input": {"orderId": order["id"], "nodeCode": "ROM",
                                            "reason": "MIL flooded"}}))["overrideRouting"]
    assert moved["userErrors"] == []
    by_status = {(f["node"]["code"], f["status"]) for f in moved["order"]["fulfillments"]}
    assert by_status == {("MIL", "CANCELLED"), ("ROM", "PENDING")}
    event = moved["order"]["events"][-1]
    assert (event["type"], event["message"]) == ("ROUTING_OVERRIDDEN", "MIL flooded")
    assert event["data"]["node"] == "ROM"
    held = await positions(api, "A")
    assert (held["MIL"]["reserved"], held["ROM"]["reserved"]) == (0, 2)
    clerk = await make_token(["orders:write", "orders:read"])
    body = await api.raw(OVERRIDE, {"input": {"orderId": order["id"], "nodeCode": "MIL",
                                              "reason": "x"}}, token=clerk)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_backorders_are_served_oldest_first_when_stock_arrives(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 1))
    first = await place(api, ("A", 3))
    second = await place(api, ("A", 2))
    assert (first["status"], second["status"]) == ("PARTIALLY_ALLOCATED", "BACKORDERED")
    await stock(api, ("A", "TOR", 2))
    query = "query($id: ID) { order(id: $id) { status lines { backorderedQuantity } " \
            "events { type } } }"
    one = (await api(query, {"id": first["id"]}))["order"]
    two = (await api(query, {"id": second["id"]}))["order"]
    assert one["status"] == "ALLOCATED" and one["events"][-1]["type"] == "BACKORDER_RELEASED"
    assert two["status"] == "BACKORDERED"
    await api("""mutation { adjustInventory(adjustments: [{sku: "A", nodeCode: "ROM",
                 delta: 5}]) { userErrors { code } } }""")
    assert (await api(query, {"id": second["id"]}))["order"]["status"] == "ALLOCATED"
    held = await positions(api, "A")
    assert sum(p["reserved"] for p in held.values()) == 5


async def test_rule_without_backorders_refuses_what_it_cannot_source(api):
    await network(api)
    await stock(api, ("A", "MIL", 2))
    await rule(api, name="no backorders", rank=1, allowBackorder=False)
    body = await api(PLACE, {"input": order_input(("A", 3))})
    errors = body["placeOrder"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INSUFFICIENT_STOCK", ["lines", "0", "quantity"])]
    assert body["placeOrder"]["order"] is None
    assert (await api("{ orders { totalCount } }"))["orders"]["totalCount"] == 0
    assert (await available(api, "web", "A"))["available"] == 2
    placed = await place(api, ("A", 2))
    assert placed["status"] == "ALLOCATED"


async def test_exact_search_places_two_nodes_where_the_greedy_cover_needs_three(api: Any) -> None:
    # The greedy takes MIL first (4 of the 6 units), then needs ROM and NAP for the two B;
    # ROM and NAP alone hold everything.
    await network(api)
    await stock(api, ("A", "MIL", 4), ("A", "ROM", 2), ("B", "ROM", 1), ("A", "NAP", 2),
                ("B", "NAP", 1))
    asked = ("query($input: PlaceOrderInput!) { simulateSourcing(input: $input) { "
             "allocationSearch allocations { node { code } sku quantity } } }")
    simulated = (await api(asked, {"input": order_input(("A", 4), ("B", 2))}))["simulateSourcing"]
    assert simulated["allocationSearch"] == "EXACT"
    assert {a["node"]["code"] for a in simulated["allocations"]} == {"ROM", "NAP"}
    order = await place(api, ("A", 4), ("B", 2))
    assert sources(order) == {"ROM": {"A": 2, "B": 1}, "NAP": {"A": 2, "B": 1}}
    recorded = await api("query($id: ID!) { sourcingDecision(orderId: $id) { allocationSearch } }",
                         {"id": order["id"]})
    assert recorded["sourcingDecision"]["allocationSearch"] == "EXACT"
