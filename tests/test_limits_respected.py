"""Tokens limited to channels or nodes see only what those limits allow, in every field, and
write stock only at their nodes; out of range arguments are refused as BAD_USER_INPUT; an
inactive node receives no return."""
from __future__ import annotations

from typing import Any

from tests.conftest import make_token
from tests.helpers import ADJUST, AVAILABILITY, SYNC, channel, node, positions, stock
from tests.journeys import place_paid, receive_return, request_return, walk

INVENTORY = "query($sku: String!) { inventory(sku: $sku) { node { code } onHand } }"
NODE_STOCK = '{ nodes { code inventory(skus: ["A"]) { onHand } } }'


async def shop(api: Any) -> None:
    await node(api, "WH", "WAREHOUSE", location={"latitude": 45.4, "longitude": 9.1})
    await node(api, "ST", "STORE", canPickup=True, location={"latitude": 45.5, "longitude": 9.2})
    await channel(api, "web")
    await channel(api, "mkt", "MARKETPLACE", nodeTypes=["WAREHOUSE"])
    await stock(api, ("A", "WH", 5), ("A", "ST", 3))


async def test_channel_and_node_limited_tokens_read_only_their_stock(api: Any) -> None:
    await shop(api)
    partner = api.as_(await make_token(["orders:read"], channels=["mkt"]))
    store = api.as_(await make_token(["fulfillment:write"], nodes=["ST"]))
    everyone = {p["node"]["code"] for p in (await api(INVENTORY, {"sku": "A"}))["inventory"]}
    assert everyone == {"WH", "ST"}
    assert [p["node"]["code"] for p in (await partner(INVENTORY, {"sku": "A"}))["inventory"]] \
        == ["WH"]
    assert [p["node"]["code"] for p in (await store(INVENTORY, {"sku": "A"}))["inventory"]] \
        == ["ST"]
    by_node = {n["code"]: n["inventory"] for n in (await partner(NODE_STOCK))["nodes"]}
    assert by_node == {"WH": [{"onHand": 5}], "ST": []}
    storefront = api.as_(await make_token(["availability:read"]))
    denied = await storefront.raw(NODE_STOCK)
    assert {e["extensions"]["code"] for e in denied["errors"]} == {"FORBIDDEN"}


async def test_a_node_limited_token_writes_stock_only_at_its_nodes(api: Any) -> None:
    await shop(api)
    store = api.as_(await make_token(["inventory:write"], nodes=["ST"]))
    synced = await store(SYNC, {"records": [{"sku": "A", "nodeCode": "ST", "onHand": 4},
                                            {"sku": "A", "nodeCode": "WH", "onHand": 0}]})
    assert [(e["code"], e["field"]) for e in synced["syncInventory"]["userErrors"]] == [
        ("NODE_NOT_ALLOWED", ["records", "1", "nodeCode"])]
    adjusted = await store(ADJUST, {"adjustments": [{"sku": "A", "nodeCode": "WH", "delta": -5}]})
    assert [(e["code"], e["field"]) for e in adjusted["adjustInventory"]["userErrors"]] == [
        ("NODE_NOT_ALLOWED", ["adjustments", "0", "nodeCode"])]
    assert {code: p["onHand"] for code, p in (await positions(api, "A")).items()} == {"WH": 5, "ST": 3}
    mine = await store(SYNC, {"records": [{"sku": "A", "nodeCode": "ST", "onHand": 4}]})
    assert mine["syncInventory"] == {"updated": 1, "userErrors": []}


async def test_out_of_range_availability_arguments_are_bad_user_input(api: Any) -> None:
    await shop(api)
    for arguments in ({"near": {"latitude": 500, "longitude": 9}},
                      {"near": {"latitude": 45, "longitude": 9}, "radius": -5},
                      {"near": {"latitude": 45, "longitude": 9}, "limit": -1}):
        body = await api.raw(AVAILABILITY, {"channel": "web", "skus": ["A"], **arguments})
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], arguments


async def test_an_inactive_node_receives_no_return(api: Any) -> None:
    await shop(api)
    placed = await place_paid(api, ("A", 1))
    delivered = await walk(api, placed["fulfillments"][0]["id"], "accept", "pick", "pack", "ship",
                           "deliver")
    line = delivered["order"]["lines"][0]["id"]
    rma = (await request_return(api, placed["id"], (line, 1)))["return"]
    await node(api, "ST", "STORE", active=False)
    refused = await receive_return(api, rma["id"], "ST", (line, 1, "RESTOCK"))
    assert [e["code"] for e in refused["userErrors"]] == ["NODE_INACTIVE"]
