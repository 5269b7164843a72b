"""Placement under real concurrency holds only what it may: no node and no channel share is
ever over-promised, and the ledger, the positions and the orders agree afterwards
(PostgreSQL only: SQLite runs one transaction at a time)."""
from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from typing import Any

import pytest

from oms.config import Settings
from oms.enums import StockBucket
from oms.models import InventoryPosition, Node, Order, StockLedgerEntry
from tests.helpers import channel
from tests.order_helpers import PLACE, network, order_input, sources, stock

HOT = [f"H{i:02d}" for i in range(20)]
ORDERS = 64
MARKET = {"buffer": 2, "allocation_percent": 50}
LIST = """{ orders(first: 100) { edges { node { id channel { code }
  lines { sku quantity allocatedQuantity backorderedQuantity cancelledQuantity }
  fulfillments { node { code } lines { sku quantity } } } } } }"""


@pytest.fixture(autouse=True)
def postgres_only(database: Settings) -> None:
    if not database.is_postgres:
        pytest.skip("row-level concurrency needs PostgreSQL (set OMS_TEST_DATABASE_URL)")


async def test_64_orders_over_20_hot_skus_never_over_promise_a_node_or_a_share(api: Any) -> None:
    rng = random.Random(20)
    await network(api)
    await channel(api, "mkt", "MARKETPLACE", buffer=MARKET["buffer"],
                  allocationPercent=MARKET["allocation_percent"])
    await stock(api, *[(sku, code, rng.randint(2, 9), rng.randint(0, 2))
                       for sku in HOT for code in ("MIL", "TOR", "ROM", "NAP")])
    bodies = await asyncio.gather(*[
        api.raw(PLACE, {"input": order_input(
            *[(sku, rng.randint(1, 4)) for sku in rng.sample(HOT, rng.randint(1, 3))],
            channel_code="mkt" if i % 2 else "web")})
        for i in range(ORDERS)
    ])
    assert all(not b.get("errors") and b["data"]["placeOrder"]["userErrors"] == []
               for b in bodies), [b for b in bodies if b.get("errors")]
    orders = [edge["node"] for edge in (await api(LIST))["orders"]["edges"]]
    assert len(orders) == ORDERS
    for order in orders:
        for line in order["lines"]:
            assert (line["allocatedQuantity"] + line["backorderedQuantity"]
                    + line["cancelledQuantity"]) == line["quantity"], line
    assert any(line["backorderedQuantity"] for o in orders for line in o["lines"]), \
        "demand must exceed supply, or nothing was contended"
    await _positions_match_ledger_and_orders(orders)
    await _every_hold_was_within_its_channels_share()


async def _positions_match_ledger_and_orders(orders: list[dict[str, Any]]) -> None:
    codes = dict(await Node.all().values_list("id", "code"))
    ledger: dict[tuple[str, str], int] = defaultdict(int)
    for sku, node_id, delta in await StockLedgerEntry.filter(bucket=StockBucket.RESERVED) \
            .values_list("sku", "node_id", "delta"):
        ledger[(sku, codes[node_id])] += delta
    ordered: dict[tuple[str, str], int] = defaultdict(int)
    for order in orders:
        for node, held in sources(order).items():
            for sku, units in held.items():
                ordered[(sku, node)] += units
    allocated = sum(line["allocatedQuantity"] for o in orders for line in o["lines"])
    reserved = 0
    for pos in await InventoryPosition.all():
        key = (pos.sku, codes[pos.node_id])
        assert pos.reserved == ledger[key] == ordered[key], key
        if pos.reserved:
            assert pos.on_hand - pos.reserved - pos.safety_stock >= 0, key
        reserved += pos.reserved
    assert reserved == allocated > 0


async def _every_hold_was_within_its_channels_share() -> None:
    """Each hold, replayed from its ledger entry (reserved before it = resulting - delta),
    was within the share its channel could promise at that moment; and what the marketplace
    holds at a node never reaches into its buffer."""
    channel_of = {f"order:{oid}": code
                  for oid, code in await Order.all().values_list("id", "channel__code")}
    levels = {(p.sku, p.node_id): p for p in await InventoryPosition.all()}
    market_held: dict[tuple[str, int], int] = defaultdict(int)
    checked = 0
    for entry in await StockLedgerEntry.filter(bucket=StockBucket.RESERVED, delta__gt=0):
        pos = levels[(entry.sku, entry.node_id)]
        rules = MARKET if channel_of[entry.reference] == "mkt" else \
            {"buffer": 0, "allocation_percent": 100}
        before = entry.resulting - entry.delta
        share = max(0, (max(0, pos.on_hand - before - pos.safety_stock) - rules["buffer"])
                    * rules["allocation_percent"] // 100)
        assert entry.delta <= share, (entry.sku, entry.node_id, entry.delta, share)
        if rules is MARKET:
            market_held[(entry.sku, entry.node_id)] += entry.delta
        checked += 1
    assert checked and market_held
    for key, units in market_held.items():
        pos = levels[key]
        assert units <= pos.on_hand - pos.safety_stock - MARKET["buffer"], key


async def test_two_orders_racing_for_the_last_units_at_a_node(api: Any) -> None:
    """Per SKU two orders want the 2 units left at MIL (the nearest node): exactly one gets
    them, the other is sourced from TOR; where TOR has none, the other is backordered."""
    await network(api)
    racing = [f"R{i}" for i in range(6)]
    await stock(api, *[(sku, "MIL", 2) for sku in racing],
                *[(sku, "TOR", 2) for sku in racing[:3]])
    bodies = await asyncio.gather(*[
        api.raw(PLACE, {"input": order_input((sku, 2), customerRef=f"{sku}-{n}")})
        for sku in racing for n in range(2)
    ])
    placed = [b["data"]["placeOrder"]["order"] for b in bodies]
    for sku in racing:
        pair = [o for o in placed if o["lines"][0]["sku"] == sku]
        got = sorted(str(sources(o)) for o in pair)
        if sku in racing[:3]:
            assert got == sorted([str({"MIL": {sku: 2}}), str({"TOR": {sku: 2}})]), (sku, pair)
        else:
            assert got == sorted(["{}", str({"MIL": {sku: 2}})]), (sku, pair)
            assert sorted(o["status"] for o in pair) == ["ALLOCATED", "BACKORDERED"]
    reserved = {(p.sku, p.node_id): p.reserved for p in await InventoryPosition.all()}
    assert sum(reserved.values()) == 2 * len(racing) + 2 * 3
