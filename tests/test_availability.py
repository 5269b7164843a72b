"""Every rule of the channel view, with expected numbers."""
from __future__ import annotations

from tests.helpers import available, by_node, channel, node, stock


async def network(api) -> None:
    await node(api, "WH1", "WAREHOUSE")
    await node(api, "ST1", "STORE", canPickup=True)
    await node(api, "PP1", "PICKUP_POINT", canShip=False, canPickup=True)
    await stock(api, ("SKU", "WH1", 100, 10), ("SKU", "ST1", 10, 2), ("SKU", "PP1", 5))


async def test_plain_channel_sums_node_available_less_safety_stock(api):
    await network(api)
    await channel(api, "web")
    item = await available(api, "web", "SKU")
    assert item["available"] == 90 + 8 + 5
    assert by_node(item) == {"WH1": 90, "ST1": 8, "PP1": 5}


async def test_buffer_is_held_back_at_every_node(api):
    await network(api)
    await channel(api, "mkt", "MARKETPLACE", buffer=3)
    item = await available(api, "mkt", "SKU")
    assert by_node(item) == {"WH1": 87, "ST1": 5, "PP1": 2}
    assert item["available"] == 94


async def test_allocation_percent_after_buffer_rounds_down(api):
    await network(api)
    await channel(api, "mkt", "MARKETPLACE", buffer=2, allocationPercent=50)
    item = await available(api, "mkt", "SKU")
    # (90-2)*50% = 44, (8-2)*50% = 3, (5-2)*50% = 1.5 -> 1
    assert by_node(item) == {"WH1": 44, "ST1": 3, "PP1": 1}
    assert item["available"] == 48


async def test_zero_percent_promises_nothing(api):
    await network(api)
    await channel(api, "b2b", "B2B", allocationPercent=0)
    item = await available(api, "b2b", "SKU")
    assert item == {"sku": "SKU", "channel": "b2b", "available": 0, "byNode": []}


async def test_excluded_nodes_are_invisible(api):
    await network(api)
    await channel(api, "mkt", "MARKETPLACE", excludedNodeCodes=["ST1", "PP1"])
    item = await available(api, "mkt", "SKU")
    assert by_node(item) == {"WH1": 90}


async def test_node_types_filter_keeps_store_stock_for_pickup(api):
    await network(api)
    await channel(api, "pickup", "STORE", nodeTypes=["STORE", "PICKUP_POINT"])
    await channel(api, "web", nodeTypes=["WAREHOUSE"])
    assert by_node(await available(api, "pickup", "SKU")) == {"ST1": 8, "PP1": 5}
    assert by_node(await available(api, "web", "SKU")) == {"WH1": 90}


async def test_inactive_node_and_inactive_channel(api):
    await network(api)
    await channel(api, "web")
    await node(api, "ST1", "STORE", active=False)
    assert by_node(await available(api, "web", "SKU")) == {"WH1": 90, "PP1": 5}
    await channel(api, "web", active=False)
    assert (await available(api, "web", "SKU"))["available"] == 0


async def test_delivery_method_filters_shipping_and_pickup_nodes(api):
    await network(api)
    await channel(api, "web")
    ship = await available(api, "web", "SKU", method="SHIP_TO_ADDRESS")
    pick = await available(api, "web", "SKU", method="PICKUP_IN_STORE")
    assert by_node(ship) == {"WH1": 90, "ST1": 8}
    assert by_node(pick) == {"ST1": 8, "PP1": 5}


async def test_reserved_and_negative_levels_never_go_below_zero(api):
    await node(api, "WH1")
    await channel(api, "web")
    await stock(api, ("SKU", "WH1", 3, 5))
    item = await available(api, "web", "SKU")
    assert item["available"] == 0 and item["byNode"] == []


async def test_unknown_sku_promises_nothing(api):
    await node(api, "WH1")
    await channel(api, "web")
    assert (await available(api, "web", "NOPE"))["available"] == 0


async def test_near_sorts_and_limits_nodes_by_distance(api):
    milan, turin, rome = (45.4642, 9.19), (45.0703, 7.6869), (41.9028, 12.4964)
    for code, (lat, lon) in {"MIL": milan, "TOR": turin, "ROM": rome}.items():
        await node(api, code, "STORE", canPickup=True, location={"latitude": lat, "longitude": lon})
    await channel(api, "pickup", "STORE")
    await stock(api, ("SKU", "MIL", 2), ("SKU", "TOR", 3), ("SKU", "ROM", 4))
    near = {"latitude": 45.07, "longitude": 7.69}
    item = await available(api, "pickup", "SKU", near=near, limit=2)
    assert [n["node"]["code"] for n in item["byNode"]] == ["TOR", "MIL"]
    assert item["byNode"][0]["distanceKm"] < 1 < 100 < item["byNode"][1]["distanceKm"] < 150
    assert item["available"] == 9
    within = await available(api, "pickup", "SKU", near=near, radius=200)
    assert by_node(within) == {"TOR": 3, "MIL": 2}


async def test_unknown_channel_is_an_error_with_a_code(api):
    body = await api.raw('{ availability(channel: "nope", skus: ["X"]) { available } }')
    assert body["errors"][0]["extensions"]["code"] == "UNKNOWN_CHANNEL"
