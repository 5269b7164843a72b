"""Inventory feeds: absolute syncs and deltas, atomic, with a ledger of every change."""
from __future__ import annotations

from oms.catalog import ChannelSpec
from oms.enums import ChannelType, StockReason
from oms.inventory import Hold, InventoryRecord, take_holds
from oms.models import Channel, InventoryPosition, StockLedgerEntry
from oms.uow import unit_of_work
from tests.helpers import ADJUST, SYNC, channel, node, positions, stock
from tests.test_placement_cost import seed


async def two_nodes(api) -> None:
    await node(api, "WH1")
    await node(api, "WH2")


async def test_sync_sets_absolute_levels_and_reports_positions_written(api):
    await two_nodes(api)
    data = await api(SYNC, {"records": [
        {"sku": "A", "nodeCode": "WH1", "onHand": 10, "safetyStock": 2},
        {"sku": "A", "nodeCode": "WH2", "onHand": 4},
    ]})
    assert data["syncInventory"] == {"updated": 2, "userErrors": []}
    await stock(api, ("A", "WH1", 7))
    pos = await positions(api, "A")
    assert pos["WH1"]["onHand"] == 7 and pos["WH1"]["safetyStock"] == 2
    assert pos["WH1"]["available"] == 5 and pos["WH2"]["available"] == 4


async def test_sync_with_one_bad_record_writes_nothing(api):
    await two_nodes(api)
    await stock(api, ("A", "WH1", 10))
    data = await api(SYNC, {"records": [
        {"sku": "A", "nodeCode": "WH1", "onHand": 99},
        {"sku": "B", "nodeCode": "WH2", "onHand": 5},
        {"sku": "C", "nodeCode": "NOPE", "onHand": 5},
        {"sku": "D", "nodeCode": "WH1", "onHand": -1},
        {"sku": "A", "nodeCode": "WH1", "onHand": 1},
    ]})
    errors = data["syncInventory"]["userErrors"]
    assert data["syncInventory"]["updated"] == 0
    assert {(e["code"], tuple(e["field"])) for e in errors} == {
        ("UNKNOWN_NODE", ("records", "2", "nodeCode")),
        ("NEGATIVE_QUANTITY", ("records", "3", "onHand")),
        ("DUPLICATE_RECORD", ("records", "4")),
    }
    assert (await positions(api, "A"))["WH1"]["onHand"] == 10
    assert await positions(api, "B") == {}


async def test_adjust_applies_deltas_and_refuses_unknown_codes(api):
    await two_nodes(api)
    await stock(api, ("A", "WH1", 10))
    ok = await api(ADJUST, {"adjustments": [
        {"sku": "A", "nodeCode": "WH1", "delta": 5, "reason": "PO 1"},
        {"sku": "A", "nodeCode": "WH1", "delta": -3, "reason": "damaged"},
        {"sku": "A", "nodeCode": "WH2", "delta": 4},
    ]})
    assert ok["adjustInventory"] == {"updated": 2, "userErrors": []}
    pos = await positions(api, "A")
    assert (pos["WH1"]["onHand"], pos["WH2"]["onHand"]) == (12, 4)
    bad = await api(ADJUST, {"adjustments": [
        {"sku": "A", "nodeCode": "WH1", "delta": 1},
        {"sku": "ZZZ", "nodeCode": "WH1", "delta": 1},
        {"sku": "A", "nodeCode": "XX", "delta": 1},
    ]})
    codes = [e["code"] for e in bad["adjustInventory"]["userErrors"]]
    assert codes == ["UNKNOWN_SKU", "UNKNOWN_NODE"]
    assert (await positions(api, "A"))["WH1"]["onHand"] == 12


async def test_adjust_never_takes_on_hand_below_zero_or_reserved(api, database):
    await two_nodes(api)
    await stock(api, ("A", "WH1", 3), ("A", "WH2", 3))
    data = await api(ADJUST, {"adjustments": [
        {"sku": "A", "nodeCode": "WH2", "delta": -1},
        {"sku": "A", "nodeCode": "WH1", "delta": -4},
    ]})
    errors = data["adjustInventory"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("BELOW_RESERVED", ["adjustments", "1", "delta"])
    ]
    pos = await positions(api, "A")
    assert (pos["WH1"]["onHand"], pos["WH2"]["onHand"]) == (3, 3)


async def test_ledger_records_who_why_delta_and_level(api):
    await two_nodes(api)
    await stock(api, ("A", "WH1", 10))
    await api(ADJUST, {"adjustments": [{"sku": "A", "nodeCode": "WH1", "delta": -4,
                                        "reason": "cycle count"}]})
    await stock(api, ("A", "WH1", 6))  # no change: no entry
    await stock(api, ("A", "WH1", 8))
    entries = await StockLedgerEntry.filter(sku="A").order_by("id")
    assert [(e.reason, e.delta, e.resulting, e.note, e.actor) for e in entries] == [
        ("SYNC", 10, 10, None, "admin"),
        ("ADJUST", -4, 6, "cycle count", "admin"),
        ("SYNC", 2, 8, None, "admin"),
    ]
    assert sum(e.delta for e in entries) == (await positions(api, "A"))["WH1"]["onHand"]


async def test_node_inventory_field_lists_positions(api):
    await two_nodes(api)
    await stock(api, ("A", "WH1", 1), ("B", "WH1", 2), ("C", "WH2", 3))
    data = await api('{ node(code: "WH1") { inventory { sku onHand } '
                     'some: inventory(skus: ["B"]) { sku onHand } } }')
    assert data["node"]["inventory"] == [{"sku": "A", "onHand": 1}, {"sku": "B", "onHand": 2}]
    assert data["node"]["some"] == [{"sku": "B", "onHand": 2}]


async def test_shrink_below_what_carts_hold_is_refused(api):
    await node(api, "WH1")
    await channel(api, "web")
    await stock(api, ("A", "WH1", 5))
    held = await api("""mutation { reserve(input: {channel: "web", lines: [{sku: "A", quantity: 3}]}) {
        userErrors { code } } }""")
    assert held["reserve"]["userErrors"] == []
    refused = await api(ADJUST, {"adjustments": [{"sku": "A", "nodeCode": "WH1", "delta": -3}]})
    assert [e["code"] for e in refused["adjustInventory"]["userErrors"]] == ["BELOW_RESERVED"]
    allowed = await api(ADJUST, {"adjustments": [{"sku": "A", "nodeCode": "WH1", "delta": -2}]})
    assert allowed["adjustInventory"]["userErrors"] == []
    pos = (await positions(api, "A"))["WH1"]
    assert (pos["onHand"], pos["reserved"], pos["available"]) == (3, 3, 0)


async def try_hold(uow, sku: str, node_id: int, quantity: int, channel=None) -> bool:
    return not await take_holds(uow, [Hold(sku, node_id, quantity)], StockReason.RESERVE, None, channel)


async def test_a_hold_never_takes_more_than_the_node_or_the_channels_share(database) -> None:
    await seed(ChannelSpec(code="mkt", name="mkt", type=ChannelType.MARKETPLACE, currency="EUR",
                           buffer=2, allocation_percent=50), [InventoryRecord("A", "MIL", 10, 1)])
    mkt = await Channel.get(code="mkt")
    pos = await InventoryPosition.get(sku="A")
    async with unit_of_work("test") as uow:
        assert not await try_hold(uow, "A", pos.node_id, 4, channel=mkt)
        assert await try_hold(uow, "A", pos.node_id, 3, channel=mkt)
        assert not await try_hold(uow, "A", pos.node_id, 7)
        assert await try_hold(uow, "A", pos.node_id, 6)
    assert (await InventoryPosition.get(sku="A")).reserved == 9
