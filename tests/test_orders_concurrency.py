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
