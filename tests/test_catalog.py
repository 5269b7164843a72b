"""Nodes and channels: upserts, validation, queries."""
from __future__ import annotations

from tests.helpers import UPSERT_CHANNEL, UPSERT_NODE, channel, node


async def test_upsert_node_creates_then_updates(api):
    await node(api, "ST1", "STORE", canPickup=True, dailyCapacity=40, priority=20,
               address={"line1": "Via Roma 1", "city": "Torino", "country": "it",
                        "location": {"latitude": 45.07, "longitude": 7.68}})
    await node(api, "ST1", "STORE", canPickup=True, priority=5)
    data = await api('{ node(code: "ST1") { code priority canPickup canShip dailyCapacity '
                     'processingTimeHours address { city country } location { latitude } } '
                     'nodes(type: STORE) { code } }')
    assert data["node"] == {"code": "ST1", "priority": 5, "canPickup": True, "canShip": True,
                            "dailyCapacity": None, "processingTimeHours": 24.0,
                            "address": None, "location": None}
    assert data["nodes"] == [{"code": "ST1"}]


async def test_node_address_location_becomes_node_location(api):
    await node(api, "ST1", "STORE", address={
        "line1": "Via Roma 1", "city": "Torino", "country": "it",
        "location": {"latitude": 45.07, "longitude": 7.68}})
    data = await api('{ node(code: "ST1") { address { city country location { latitude } } '
                     'location { latitude longitude } } }')
    assert data["node"]["address"] == {"city": "Torino", "country": "IT",
                                       "location": {"latitude": 45.07}}
    assert data["node"]["location"] == {"latitude": 45.07, "longitude": 7.68}


async def test_bad_node_input_is_refused_and_nothing_written(api):
    data = await api(UPSERT_NODE, {"input": {
        "code": "bad code!", "name": "", "type": "STORE", "dailyCapacity": -1,
        "location": {"latitude": 95.0, "longitude": 7.0}}})
    errors = data["upsertNode"]["userErrors"]
    assert data["upsertNode"]["node"] is None
    assert {e["code"] for e in errors} == {"INVALID_INPUT", "INVALID_COORDINATES", "NEGATIVE_QUANTITY"}
    assert ["location"] in [e["field"] for e in errors]
    assert (await api("{ nodes { code } }"))["nodes"] == []


async def test_channel_rules_round_trip(api):
    await node(api, "ST1", "STORE")
    created = await channel(api, "mkt", "MARKETPLACE", buffer=2, allocationPercent=60,
                            excludedNodeCodes=["ST1"], nodeTypes=["WAREHOUSE", "STORE"])
    assert created == {"code": "mkt", "buffer": 2, "allocationPercent": 60,
                       "nodeTypes": ["STORE", "WAREHOUSE"], "excludedNodes": [{"code": "ST1"}]}
    data = await api('{ channel(code: "mkt") { currency type orderPrefix active } '
                     'channels { code } }')
    assert data["channel"] == {"currency": "EUR", "type": "MARKETPLACE", "orderPrefix": "MKT",
                               "active": True}
    assert data["channels"] == [{"code": "mkt"}]


async def test_bad_channel_input(api):
    data = await api(UPSERT_CHANNEL, {"input": {
        "code": "web", "name": "Web", "type": "WEB", "currency": "euro", "buffer": -1,
        "allocationPercent": 101, "excludedNodeCodes": ["NOPE"]}})
    errors = {e["code"]: e["field"] for e in data["upsertChannel"]["userErrors"]}
    assert errors == {
        "INVALID_INPUT": ["currency"], "NEGATIVE_QUANTITY": ["buffer"],
        "INVALID_PERCENT": ["allocationPercent"], "UNKNOWN_NODE": ["excludedNodeCodes", "0"],
    }
    assert (await api("{ channels { code } }"))["channels"] == []
