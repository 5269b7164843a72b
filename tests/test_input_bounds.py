"""Input past what the database keeps (each found by the fuzzer, tests/test_fuzz.py; each
answered INTERNAL_SERVER_ERROR before): text longer than its column is refused where it would
be written and matches nothing where it is looked up; stock levels, channel totals and order
amounts past their columns are refused or capped."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from oms.models import InventoryPosition, Order
from tests.helpers import ADJUST, SYNC, available, ledger_mismatches, node, stock
from tests.journeys import CANCEL, REQUEST_RETURN, fulfillment_at, line_id
from tests.order_helpers import PLACE, RULE, order_input
from tests.test_access import CREATE
from tests.test_returns import delivered_order
from tests.test_sourcing_api import OVERRIDE

LONG = "x" * 501
"Past every column a client's text is kept in (codes 64, names 200, e-mails 320, reasons 400)."
Ids = dict[str, str]
Case = tuple[str, Callable[[Ids], dict[str, Any]], str, list[tuple[str, list[str]]]]


def ship(fulfillment: str, carrier: str = "BRT", tracking: str = "T1") -> dict[str, Any]:
    return {"input": {"fulfillmentId": fulfillment, "carrier": carrier, "trackingNumber": tracking}}


UPSERT_NODE = "mutation($input: NodeInput!) { upsertNode(input: $input) { userErrors { code field } } }"
UPSERT_CHANNEL = ("mutation($input: ChannelInput!) { upsertChannel(input: $input) "
                  "{ userErrors { code field } } }")
REJECT = ("mutation($id: ID!, $reason: String!) { rejectFulfillment(fulfillmentId: $id, reason: $reason)"
          " { userErrors { code field } } }")
SHIP = ("mutation($input: ShipFulfillmentInput!) { shipFulfillment(input: $input) "
        "{ userErrors { code field } } }")
RESERVE = "mutation($input: ReserveInput!) { reserve(input: $input) { userErrors { code field } } }"
WRITES: list[Case] = [
    (UPSERT_NODE, lambda _: {"input": {"code": "N1", "name": "x" * 201, "type": "STORE"}},
     "upsertNode", [("INVALID_INPUT", ["name"])]),
    (UPSERT_CHANNEL, lambda _: {"input": {"code": "c1", "name": LONG, "type": "WEB", "currency": "EUR"}},
     "upsertChannel", [("INVALID_INPUT", ["name"])]),
    (CREATE, lambda _: {"input": {"name": LONG, "scopes": ["orders:read:own"], "customerRef": LONG}},
     "createApiToken", [("INVALID_INPUT", ["name"]), ("INVALID_INPUT", ["customerRef"])]),
    (PLACE, lambda _: {"input": order_input(("A", 1), customerEmail=LONG + "@x.it", customerRef=LONG,
                                            idempotencyKey=LONG)},
     "placeOrder", [("INVALID_INPUT", ["customerEmail"]), ("INVALID_INPUT", ["customerRef"]),
                    ("INVALID_INPUT", ["idempotencyKey"])]),
    (PLACE, lambda _: {"input": order_input(("A", 1), payment={
        "reference": LONG, "amount": {"amount": "10.00", "currency": "EUR"}})},
     "placeOrder", [("INVALID_INPUT", ["payment", "reference"])]),
    (SYNC, lambda _: {"records": [{"sku": "x" * 65, "nodeCode": "MIL", "onHand": 1}]},
     "syncInventory", [("INVALID_INPUT", ["records", "0", "sku"])]),
    (ADJUST, lambda _: {"adjustments": [{"sku": "A", "nodeCode": "MIL", "delta": 1, "reason": LONG}]},
     "adjustInventory", [("INVALID_INPUT", ["adjustments", "0", "reason"])]),
    (RULE, lambda _: {"input": {"name": LONG, "rank": 1}},
     "upsertRoutingRule", [("INVALID_INPUT", ["name"])]),
    (REJECT, lambda ids: {"id": ids["open"], "reason": LONG},
     "rejectFulfillment", [("INVALID_INPUT", ["reason"])]),
    (SHIP, lambda ids: ship(ids["open"], carrier=LONG, tracking=LONG),
     "shipFulfillment", [("INVALID_INPUT", ["carrier"]), ("INVALID_INPUT", ["trackingNumber"])]),
    (CANCEL, lambda ids: {"input": {"orderId": ids["order"], "reason": LONG}},
     "cancelOrder", [("INVALID_INPUT", ["reason"])]),
    (OVERRIDE, lambda ids: {"input": {"orderId": ids["order"], "nodeCode": "TOR", "reason": LONG}},
     "overrideRouting", [("INVALID_INPUT", ["reason"])]),
    (REQUEST_RETURN, lambda ids: {"input": {"orderId": ids["delivered"], "lines": [
        {"orderLineId": ids["line"], "quantity": 1, "reason": LONG}]}},
     "requestReturn", [("INVALID_INPUT", ["lines", "0", "reason"])]),
]
LOOKUPS: list[Case] = [
    (PLACE, lambda _: {"input": order_input((LONG, 1), channel_code=LONG)},
     "placeOrder", [("UNKNOWN_CHANNEL", ["channel"]), ("UNKNOWN_SKU", ["lines", "0", "sku"])]),
    (PLACE, lambda _: {"input": order_input(("A", 1), deliveryMethod="PICKUP_IN_STORE",
                                            pickupNodeCode=LONG)},
     "placeOrder", [("PICKUP_NODE_INVALID", ["pickupNodeCode"])]),
    (UPSERT_CHANNEL, lambda _: {"input": {"code": "c1", "name": "c", "type": "WEB", "currency": "EUR",
                                          "excludedNodeCodes": [LONG]}},
     "upsertChannel", [("UNKNOWN_NODE", ["excludedNodeCodes", "0"])]),
    (CREATE, lambda _: {"input": {"name": "t", "scopes": ["admin"], "channels": [LONG]}},
     "createApiToken", [("UNKNOWN_CHANNEL", ["channels", "0"])]),
    (SYNC, lambda _: {"records": [{"sku": "A", "nodeCode": LONG, "onHand": 1}]},
     "syncInventory", [("UNKNOWN_NODE", ["records", "0", "nodeCode"])]),
    (ADJUST, lambda _: {"adjustments": [{"sku": LONG, "nodeCode": LONG, "delta": 1}]},
     "adjustInventory", [("UNKNOWN_NODE", ["adjustments", "0", "nodeCode"]),
                         ("UNKNOWN_SKU", ["adjustments", "0", "sku"])]),
    (RESERVE, lambda _: {"input": {"channel": LONG, "lines": [{"sku": LONG, "quantity": 1}]}},
     "reserve", [("UNKNOWN_CHANNEL", ["channel"]), ("UNKNOWN_SKU", ["lines", "0", "sku"])]),
    (OVERRIDE, lambda ids: {"input": {"orderId": ids["order"], "nodeCode": LONG, "reason": "r"}},
     "overrideRouting", [("UNKNOWN_NODE", ["nodeCode"])]),
]


@pytest.fixture
async def ids(api: Any) -> Ids:
    delivered = await delivered_order(api)
    await stock(api, ("A", "TOR", 5))
    placed = (await api(PLACE, {"input": order_input(("A", 1))}))["placeOrder"]["order"]
    return {"delivered": delivered["id"], "line": line_id(delivered, "A"), "order": placed["id"],
            "open": fulfillment_at(placed, "MIL")["id"]}


async def refused(api: Any, case: Case, ids: Ids) -> list[tuple[str, list[str]]]:
    document, variables, field, _ = case
    data = await api(document, variables(ids))
    return [(e["code"], e["field"]) for e in data[field]["userErrors"]]


@pytest.mark.parametrize("case", WRITES, ids=lambda c: f"{c[2]}-{c[3][0][1][-1]}")
async def test_text_longer_than_its_column_is_refused_where_it_is_written(
        api: Any, ids: Ids, case: Case) -> None:
    orders = await Order.all().count()
    assert await refused(api, case, ids) == case[3]
    assert await Order.all().count() == orders
    assert await ledger_mismatches() == []


@pytest.mark.parametrize("case", LOOKUPS, ids=lambda c: f"{c[2]}-{c[3][0][0]}")
async def test_a_code_longer_than_any_code_is_unknown(api: Any, ids: Ids, case: Case) -> None:
    assert await refused(api, case, ids) == case[3]


async def test_reads_by_text_longer_than_its_column_find_nothing(api: Any, ids: Ids) -> None:
    data = await api("query($v: String!) { node(code: $v) { code } channel(code: $v) { code } "
                     "inventory(sku: $v) { onHand } order(number: $v) { id } "
                     "orders(filter: {channel: $v}) { totalCount } "
                     "byEmail: orders(filter: {customerEmail: $v}) { totalCount } "
                     "auditLog(filter: {actor: $v, action: $v, target: $v}) { action } "
                     'availability(channel: "web", skus: [$v]) { available } }', {"v": LONG})
    assert data == {"node": None, "channel": None, "inventory": [], "order": None,
                    "orders": {"totalCount": 0}, "byEmail": {"totalCount": 0}, "auditLog": [],
                    "availability": [{"available": 0}]}
    unknown = await api.raw('query($v: String!) { availability(channel: $v, skus: ["A"]) '
                            "{ available } }", {"v": LONG})
    assert unknown["errors"][0]["extensions"]["code"] == "UNKNOWN_CHANNEL"


MAX = 2**31 - 1


async def test_an_adjustment_past_the_largest_level_is_refused(api: Any) -> None:
    await node(api, "MIL")
    await stock(api, ("A", "MIL", 5))
    data = await api(ADJUST, {"adjustments": [{"sku": "A", "nodeCode": "MIL", "delta": MAX}]})
    assert data["adjustInventory"]["userErrors"] == [
        {"code": "INVALID_QUANTITY", "message": f"A at MIL: on-hand 5 {MAX:+d} would pass {MAX}",
         "field": ["adjustments", "0", "delta"]}]
    assert (await InventoryPosition.get(sku="A")).on_hand == 5


async def test_a_channel_total_past_32_bits_is_kept_and_promised_up_to_the_largest(api: Any) -> None:
    for code in ("MIL", "TOR", "ROM"):
        await node(api, code)
    await api("mutation { upsertChannel(input: {code: \"web\", name: \"w\", type: WEB, "
              "currency: \"EUR\"}) { userErrors { code } } }")
    await stock(api, ("A", "MIL", MAX), ("A", "TOR", MAX), ("A", "ROM", MAX))
    item = await available(api, "web", "A")
    assert item["available"] == MAX
    assert sorted(n["available"] for n in item["byNode"]) == [MAX, MAX, MAX]
    await stock(api, ("A", "MIL", 0), ("A", "TOR", 0))
    assert (await available(api, "web", "A"))["available"] == MAX
    await stock(api, ("A", "ROM", 7))
    assert (await available(api, "web", "A"))["available"] == 7


async def test_holds_compare_in_64_bits_past_21_million_units(api: Any) -> None:
    """A hold checks the channel's share, (on hand - ...) x percent >= 100 x quantity: past
    21,474,836 units either side passed 32 bits on PostgreSQL."""
    await node(api, "MIL")
    await api("mutation { upsertChannel(input: {code: \"web\", name: \"w\", type: WEB, "
              "currency: \"EUR\"}) { userErrors { code } } }")
    await stock(api, ("B", "MIL", 30_000_000))
    big = await api(PLACE, {"input": order_input(("B", 25_000_000), price="0.01")})
    assert big["placeOrder"]["userErrors"] == []
    assert big["placeOrder"]["order"]["lines"][0]["allocatedQuantity"] == 25_000_000
    assert (await available(api, "web", "B"))["available"] == 5_000_000
    assert await ledger_mismatches() == []


async def test_an_order_whose_amounts_pass_what_an_order_keeps_is_refused(api: Any) -> None:
    await node(api, "MIL")
    await api("mutation { upsertChannel(input: {code: \"web\", name: \"w\", type: WEB, "
              "currency: \"EUR\"}) { userErrors { code } } }")
    await stock(api, ("A", "MIL", 5))
    for huge in ("1e20", "9E+999999"):
        price = await api(PLACE, {"input": order_input(("A", 2), price=huge, payment={
            "reference": "p", "amount": {"amount": huge, "currency": "EUR"}})})
        assert [e["field"] for e in price["placeOrder"]["userErrors"]] == [
            ["lines", "0", "unitPrice", "amount"]]
    total = await api(PLACE, {"input": order_input(("A", MAX), price="999999999")})
    assert ["lines"] in [e["field"] for e in total["placeOrder"]["userErrors"]]
    assert await Order.all().count() == 0


async def test_a_node_asked_for_skus_longer_than_any_lists_none(api: Any) -> None:
    await node(api, "MIL")
    await stock(api, ("A", "MIL", 5))
    data = await api('query($skus: [String!]) { node(code: "MIL") { inventory(skus: $skus) '
                     "{ sku onHand } } }", {"skus": ["A", LONG]})
    assert data == {"node": {"inventory": [{"sku": "A", "onHand": 5}]}}
