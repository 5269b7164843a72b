"""Inventory ingestion in bulk: thousands of records per sync, CSV imports, and syncs racing
placements; all or nothing, the ledger adding up, the read model right."""
from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

import oms.uow
from oms import inventory
from oms.enums import StockReason
from oms.inventory import Hold, InventoryRecord
from oms.models import ChannelStock, InventoryPosition, Node, Sku, StockLedgerEntry
from oms.receiving import receive_sync
from oms.uow import is_retryable, unit_of_work
from tests.helpers import ADJUST, AVAILABILITY, INVENTORY, SYNC, ledger_mismatches, node, positions, stock
from tests.order_helpers import PLACE, network, order_input, place
from tests.test_availability_read_model import METHODS, World
from tests.test_cli import oms as run_oms

NODES = ("W1", "D1", "S1", "S2")


def records(count: int, seed: int, nodes: tuple[str, ...] = NODES) -> list[dict[str, Any]]:
    """`count` distinct records over SKU-0000.. at `nodes`, levels at random."""
    rng = random.Random(seed)
    skus = count // len(nodes) + 1
    keys = [(f"SKU-{s:04d}", n) for s in range(skus) for n in nodes][:count]
    return [{"sku": s, "nodeCode": n, "onHand": rng.randint(0, 40),
             **({"safetyStock": rng.randint(0, 3)} if rng.random() < 0.3 else {})}
            for s, n in keys]


async def counts() -> tuple[int, int, int, int]:
    return (await InventoryPosition.all().count(), await StockLedgerEntry.all().count(),
            await Sku.all().count(), await ChannelStock.all().count())


async def test_one_bad_record_among_5000_writes_nothing(api: Any) -> None:
    world = World(api, random.Random(0))
    await world.setup()
    first = await api(SYNC, {"records": records(5000, 1)})
    assert first["syncInventory"] == {"updated": 5000, "userErrors": []}
    before = await counts()
    levels = await positions(api, "SKU-0100")
    batch = records(5000, 2) + [{"sku": "NEW-1", "nodeCode": "W1", "onHand": 3}]
    batch[3210] = {**batch[3210], "onHand": -1}
    refused = (await api(SYNC, {"records": batch}))["syncInventory"]
    assert refused["updated"] == 0
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("NEGATIVE_QUANTITY", ["records", "3210", "onHand"])]
    assert await counts() == before
    assert await positions(api, "SKU-0100") == levels


async def test_bulk_adjust_refuses_every_fall_below_reserved_at_once(api: Any) -> None:
    world = World(api, random.Random(0))
    await world.setup()
    synced = records(2000, 3)
    await api(SYNC, {"records": synced})
    before = await counts()
    body = [{"sku": r["sku"], "nodeCode": r["nodeCode"], "delta": 1} for r in synced]
    body += [{"sku": r["sku"], "nodeCode": r["nodeCode"], "delta": -r["onHand"] - 2}
             for r in (synced[5], synced[1999])]
    errors = (await api(ADJUST, {"adjustments": body}))["adjustInventory"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("BELOW_RESERVED", ["adjustments", "2000", "delta"]),
        ("BELOW_RESERVED", ["adjustments", "2001", "delta"])]
    assert await counts() == before


async def test_ledger_and_read_model_after_bulk_syncs_and_adjustments(api: Any) -> None:
    world = World(api, random.Random(5))
    await world.setup()
    await stock(api, *[(sku, code, 10) for sku in ("A", "B", "C") for code in NODES])
    for _ in range(3):
        await world.reserve()
        await world.order()
    for seed in (11, 12):
        batch = records(4988, seed) + [
            {"sku": sku, "nodeCode": code, "onHand": world.rng.randint(4, 15)}
            for sku in ("A", "B", "C") for code in NODES]
        assert (await api(SYNC, {"records": batch}))["syncInventory"]["userErrors"] == []
    adjust = [{"sku": r["sku"], "nodeCode": r["nodeCode"], "delta": 2} for r in records(3000, 13)]
    assert (await api(ADJUST, {"adjustments": adjust}))["adjustInventory"]["userErrors"] == []
    assert await ledger_mismatches() == []
    await world.check("after bulk syncs")
    await _check_fillers(world, [f"SKU-{s:04d}" for s in range(0, 1247, 97)])


async def _check_fillers(world: World, skus: list[str]) -> None:
    """The read model of SKUs World does not follow, against the from-scratch rule."""
    for sku in skus:
        levels = (await world.api(INVENTORY, {"sku": sku}))["inventory"]
        for code in world.channels:
            for method in METHODS:
                data = await world.api(AVAILABILITY, {"channel": code, "skus": [sku],
                                                      "method": method})
                served = data["availability"][0]["available"] if data["availability"] else 0
                assert served == world.scratch(code, method, levels), (sku, code, method)


async def test_csv_import_releases_backorders_in_one_transaction(api: Any, database: Any,
                                                                 tmp_path: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 1))
    waiting = await place(api, ("A", 3))
    assert waiting["status"] == "PARTIALLY_ALLOCATED"
    path = tmp_path / "stock.csv"
    rows = [f"F-{i:05d},{code},{i % 7}," for i in range(2500) for code in ("TOR", "ROM")]
    path.write_text("sku,node_code,on_hand,safety_stock\n" + "\n".join(rows)
                    + "\nA,TOR,4,1\nA,MIL,1,\n")
    done = await asyncio.to_thread(run_oms, database, "import-inventory", str(path), "--batch", "700")
    assert done.returncode == 0, done.stderr
    order = (await api("query($id: ID) { order(id: $id) { status lines { backorderedQuantity } "
                       "events { type } } }", {"id": waiting["id"]}))["order"]
    assert order["status"] == "ALLOCATED" and order["lines"][0]["backorderedQuantity"] == 0
    assert order["events"][-1]["type"] == "BACKORDER_RELEASED"
    assert (await positions(api, "A"))["TOR"]["reserved"] == 2
    assert await ledger_mismatches() == []


async def test_csv_problems_are_one_line_each_and_nothing_is_written(
        api: Any, database: Any, tmp_path: Any) -> None:
    await node(api, "WH1")
    await stock(api, ("A", "WH1", 5))
    before = await counts()
    good = [f"G-{i},WH1,3" for i in range(10)]
    path = tmp_path / "bad.csv"
    path.write_text("sku,node_code,on_hand\n" + "\n".join(
        good + ["A,WH1,50", "B,NOPE,1", "C,WH1,x", "G-3,WH1,4", "D,WH1,-2"]) + "\n")
    done = await asyncio.to_thread(run_oms, database, "import-inventory", str(path), "--batch", "4")
    assert done.returncode != 0 and "nothing was written" in done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("line ")] == [
        "line 13: UNKNOWN_NODE: unknown node 'NOPE'",
        "line 14: INVALID_INPUT: on_hand 'x' is not a whole number",
        "line 15: DUPLICATE_RECORD: G-3 at WH1 appears more than once in the file",
        "line 16: NEGATIVE_QUANTITY: onHand must be >= 0",
    ]
    assert await counts() == before
    assert (await positions(api, "A"))["WH1"]["onHand"] == 5


async def test_syncs_racing_placements_and_releases_neither_deadlock_nor_oversell(
        api: Any, monkeypatch: Any) -> None:
    await network(api)
    skus = [f"R{i:03d}" for i in range(100)]
    nodes = ("MIL", "TOR", "ROM", "NAP")
    await stock(api, ("LATE", "MIL", 0), *[(sku, code, 30) for sku in skus for code in nodes])
    waiting = [await place(api, ("LATE", 1), (skus[i], 1)) for i in range(3)]
    assert all(o["status"] == "PARTIALLY_ALLOCATED" for o in waiting)
    retried: list[BaseException | None] = []

    def counted(exc: BaseException | None) -> bool:
        retried.append(exc)
        return is_retryable(exc)

    monkeypatch.setattr(oms.uow, "is_retryable", counted)
    rng = random.Random(9)

    async def sync(number: int) -> None:
        keys = [(sku, code) for sku in skus for code in nodes] + [("LATE", nodes[number % 4])]
        rng.shuffle(keys)
        body = [{"sku": s, "nodeCode": n, "onHand": rng.randint(20, 40)} for s, n in keys]
        assert (await api(SYNC, {"records": body}))["syncInventory"]["userErrors"] == []

    async def order() -> None:
        lines = rng.sample(skus, 3)
        data = await api(PLACE, {"input": order_input(*[(s, rng.randint(1, 2)) for s in lines])})
        assert data["placeOrder"]["userErrors"] == []

    work = [sync(i) for i in range(6)] + [order() for _ in range(30)]
    rng.shuffle(work)
    await asyncio.wait_for(asyncio.gather(*work), timeout=120)
    assert retried == []  # no deadlock victim (nor any other failure) to run again
    assert await ledger_mismatches() == []
    oversold = await InventoryPosition.filter(reserved__gt=0).values_list(
        "sku", "node_id", "on_hand", "reserved")
    assert [row for row in oversold if row[3] > row[2]] == []
    for placed in waiting:
        status = (await api("query($id: ID) { order(id: $id) { status } }",
                            {"id": placed["id"]}))["order"]["status"]
        assert status == "ALLOCATED"


async def test_a_sync_queues_behind_a_placement_holding_in_sku_node_order(
        api: Any, database: Any) -> None:
    """A placement holds A, a sync of B and A starts (and must wait at A, holding nothing),
    then the placement holds B: no lock cycle. Locked in another order, this deadlocks."""
    if not database.is_postgres:
        pytest.skip("row locks need PostgreSQL")
    await network(api)
    await stock(api, ("A", "MIL", 5), ("B", "MIL", 5))
    mil = (await Node.get(code="MIL")).id
    held, synced = asyncio.Event(), []

    async def placement() -> None:
        async with unit_of_work("placement") as uow:
            assert not await inventory.take_holds(uow, [Hold("A", mil, 1)], StockReason.RESERVE, None)
            held.set()
            await asyncio.sleep(0.3)
            assert not await inventory.take_holds(uow, [Hold("B", mil, 1)], StockReason.RESERVE, None)
            assert synced == []

    async def sync() -> None:
        await held.wait()
        async with unit_of_work("sync") as uow:
            await receive_sync(uow, [InventoryRecord("B", "MIL", 9),
                                     InventoryRecord("A", "MIL", 9)])
        synced.append(True)

    await asyncio.wait_for(asyncio.gather(placement(), sync()), timeout=20)
    pos = await positions(api, "A")
    assert (pos["MIL"]["onHand"], pos["MIL"]["reserved"]) == (9, 1)
    assert await ledger_mismatches() == []
