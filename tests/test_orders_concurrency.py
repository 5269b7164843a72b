"""No oversell under real concurrency (PostgreSQL only: SQLite runs one transaction at a time)."""
from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import pytest

from oms.config import Settings
from oms.enums import StockBucket
from oms.models import InventoryPosition, StockLedgerEntry
from tests.order_helpers import PLACE, network, order_input, stock

ORDERS = 200
UNITS = {"MIL": 20, "TOR": 15, "ROM": 10, "NAP": 5}


@pytest.fixture(autouse=True)
def postgres_only(database: Settings) -> None:
    if not database.is_postgres:
        pytest.skip("row-level concurrency needs PostgreSQL (set OMS_TEST_DATABASE_URL)")


async def test_200_concurrent_orders_never_oversell_50_units(api: Any) -> None:
    await network(api)
    await stock(api, *[("A", code, units) for code, units in UNITS.items()])
    bodies = await asyncio.gather(*[
        api.raw(PLACE, {"input": order_input(("A", 1), customerRef=f"c{i}")})
        for i in range(ORDERS)
    ])
    assert all(not b.get("errors") for b in bodies), [b["errors"] for b in bodies if b.get("errors")]
    orders = [b["data"]["placeOrder"]["order"] for b in bodies]
    assert all(o is not None for o in orders)
    allocated = sum(o["lines"][0]["allocatedQuantity"] for o in orders)
    statuses = defaultdict(int)
    for o in orders:
        statuses[o["status"]] += 1
    assert allocated == 50
    assert dict(statuses) == {"ALLOCATED": 50, "BACKORDERED": 150}
    assert len({o["number"] for o in orders}) == ORDERS
    await _stock_matches_ledger(UNITS)


async def _stock_matches_ledger(units: dict[str, int]) -> None:
    positions = await InventoryPosition.filter(sku="A").prefetch_related("node")
    ledger: dict[tuple[int, StockBucket], int] = defaultdict(int)
    for entry in await StockLedgerEntry.filter(sku="A"):
        ledger[(entry.node_id, entry.bucket)] += entry.delta
    for pos in positions:
        assert pos.on_hand == units[pos.node.code] == ledger[(pos.node_id, StockBucket.ON_HAND)]
        assert pos.reserved == pos.on_hand == ledger[(pos.node_id, StockBucket.RESERVED)]


async def test_two_line_orders_racing_stock_arrivals_stay_consistent(api: Any) -> None:
    await network(api)
    await stock(api, *[(sku, code, 5) for sku in ("A", "B") for code in UNITS])
    adjust = """mutation($a: [InventoryAdjustmentInput!]!) {
      adjustInventory(adjustments: $a) { userErrors { code } } }"""
    placements = [api.raw(PLACE, {"input": order_input(*(("B", 1), ("A", 2))[:: 1 - 2 * (i % 2)])})
                  for i in range(60)]
    arrivals = [api.raw(adjust, {"a": [{"sku": sku, "nodeCode": code, "delta": 3}]})
                for sku in ("A", "B") for code in UNITS]
    bodies = await asyncio.gather(*placements, *arrivals)
    assert all(not b.get("errors") for b in bodies), [b["errors"] for b in bodies if b.get("errors")]
    allocated: dict[str, int] = defaultdict(int)
    query = "{ orders(first: 100) { edges { node { lines { sku allocatedQuantity } } } } }"
    for edge in (await api(query))["orders"]["edges"]:
        for line in edge["node"]["lines"]:
            allocated[line["sku"]] += line["allocatedQuantity"]
    for sku in ("A", "B"):
        rows = await InventoryPosition.filter(sku=sku)
        assert sum(p.reserved for p in rows) == allocated[sku]
        assert all(0 <= p.reserved <= p.on_hand for p in rows)
        ledger = await StockLedgerEntry.filter(sku=sku, bucket=StockBucket.RESERVED)
        assert sum(e.delta for e in ledger) == allocated[sku]
        assert allocated[sku] == sum(p.on_hand for p in rows) == 32
