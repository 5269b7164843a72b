"""P6 (in-process): how fast `replaySourcing` replays a window of past orders.

Builds a network on a database of its own (SQLite by default), places the orders one after
another through the domain's placement (`oms.orders.placement`, the clock moved a minute per
order, so the window spans days and daily capacities count), then times
`oms.routing.replay.replay_sourcing` (loading included) for the live rules and a tried rule set,
at order time (stock rebuilt from the ledger) and on today's stock. No server: labelled
in-process. Part of `python -m bench`; alone:
    .venv/bin/python -m bench.replay [--orders 5000] [--nodes 200] [--database-url URL]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from bench.prepare import reset_database
from oms import db
from oms.catalog import ChannelSpec, NodeSpec, upsert_channel, upsert_node
from oms.clock import ManualClock, use
from oms.config import Settings
from oms.enums import ChannelType, DeliveryMethod, NodeType, ReplayStock
from oms.inventory import InventoryRecord, sync_inventory
from oms.orders.inputs import LineSpec, OrderSpec, Price
from oms.orders.placement import place_order
from oms.routing.replay import ReplaySpec, replay_sourcing
from oms.routing.rules import RuleSpec
from oms.uow import unit_of_work

CITIES = [("Milano", 45.46, 9.19), ("Roma", 41.90, 12.50), ("Napoli", 40.85, 14.27),
          ("Torino", 45.07, 7.69), ("Bologna", 44.49, 11.34), ("Firenze", 43.77, 11.26),
          ("Bari", 41.12, 16.87), ("Palermo", 38.12, 13.36), ("Venezia", 45.44, 12.32),
          ("Genova", 44.41, 8.95), ("Verona", 45.44, 10.99), ("Catania", 37.51, 15.08)]
TRIED = [RuleSpec(name="stores first, by priority, 2 splits", rank=1, max_splits=2,
                  prefer_node_types=[NodeType.STORE],
                  weights={"distance": 0.5, "priority": 1.0})]
"The tried rule set: the merchandiser's proposal against the live default (nearest first)."


@dataclass(frozen=True)
class Timing:
    label: str
    orders: int
    elapsed_ms: float
    orders_per_second: float
    changed: int


def _place(rng: random.Random, number: int) -> tuple[str, float, float]:
    name, lat, lon = rng.choice(CITIES)
    return f"{name} {number}", lat + rng.uniform(-0.4, 0.4), lon + rng.uniform(-0.4, 0.4)


def _nodes(rng: random.Random, count: int) -> list[NodeSpec]:
    nodes = []
    for number in range(count):
        store = number >= count // 5
        city, lat, lon = _place(rng, number)
        nodes.append(NodeSpec(
            code=f"{'ST' if store else 'WH'}{number:04d}", name=city,
            type=NodeType.STORE if store else NodeType.WAREHOUSE,
            address={"line1": "x", "city": city, "country": "IT"}, latitude=lat, longitude=lon,
            priority=rng.randint(1, 100), can_pickup=store,
            daily_capacity=rng.choice([40, 80, None]) if store else None))
    return nodes


async def prepare(url: str, orders: int, nodes: int, skus: int, seed: int = 7
                  ) -> tuple[datetime, datetime]:
    """A fresh database with the network and `orders` placed a minute apart; the window."""
    rng = random.Random(seed)
    settings = Settings(database_url=url)
    await db.migrate(settings)
    await db.init_db(settings)
    network = _nodes(rng, nodes)
    codes = [f"SKU-{n:05d}" for n in range(skus)]
    start = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    with use(ManualClock(start)) as clock:
        async with unit_of_work(actor="bench") as uow:
            for node in network:
                await upsert_node(uow, None, node)
            await upsert_channel(uow, None, ChannelSpec(code="web", name="Web", type=ChannelType.WEB,
                                                        currency="EUR"))
            stocked = max(1, nodes * 3 // 10)
            await sync_inventory(uow, [InventoryRecord(sku, node.code, rng.randint(0, 12))
                                       for sku in codes for node in rng.sample(network, stocked)])
        clock.advance(60)
        opened = clock.now()
        for number in range(orders):
            clock.advance(60)
            city, lat, lon = _place(rng, number)
            spec = OrderSpec(
                channel="web", customer_email=f"c{number}@example.com",
                delivery_method=DeliveryMethod.SHIP_TO_ADDRESS,
                shipping_address={"line1": "x", "city": city, "country": "IT",
                                  "location": {"latitude": lat, "longitude": lon}},
                lines=[LineSpec(sku, rng.randint(1, 4), Price(Decimal("10.00"), "EUR"))
                       for sku in rng.sample(codes, rng.randint(1, 3))])
            async with unit_of_work(actor="bench") as uow:
                await place_order(uow, None, spec)
        clock.advance(60)
        return opened, clock.now()


async def measure(start: datetime, end: datetime, limit: int) -> list[Timing]:
    """Each replay timed as a caller would (loading included); the best of two runs."""
    cases = [("live rules, stock at order time", None, ReplayStock.AT_ORDER_TIME),
             ("tried rules, stock at order time", TRIED, ReplayStock.AT_ORDER_TIME),
             ("tried rules, today's stock", TRIED, ReplayStock.CURRENT)]
    timings = []
    for label, rules, stock in cases:
        best = None
        for _ in range(2):
            began = time.perf_counter()
            result = await replay_sourcing(None, ReplaySpec(start, end, rules=rules, stock=stock,
                                                            limit=limit))
            elapsed = (time.perf_counter() - began) * 1000
            if best is None or elapsed < best[0]:
                best = (elapsed, result)
        assert best is not None
        elapsed, result = best
        count = result.replayed.orders
        timings.append(Timing(label, count, elapsed, count / elapsed * 1000 if elapsed else 0.0,
                              result.changed_orders))
    return timings


async def run(url: str | None, orders: int, nodes: int, skus: int) -> list[Timing]:
    folder = None
    if url is None:
        folder = tempfile.mkdtemp(prefix="oms-replay-")
        url = f"sqlite://{Path(folder) / 'replay.sqlite3'}"
    else:
        await reset_database(url)
    try:
        start, end = await prepare(url, orders, nodes, skus)
        return await measure(start, end, orders)
    finally:
        await db.close_db()
        if folder:
            for item in Path(folder).iterdir():
                item.unlink()
            os.rmdir(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--database-url", help="PostgreSQL database of its own (wiped); "
                                               "default: a temporary SQLite file")
    parser.add_argument("--json", action="store_true", help="one JSON list of timings")
    args = parser.parse_args()
    began = time.perf_counter()
    timings = asyncio.run(run(args.database_url, args.orders, args.nodes, args.skus))
    if args.json:
        print(json.dumps([asdict(t) for t in timings]))
        return
    print(f"replay_sourcing (in-process): {args.orders:,} orders over {args.nodes} nodes x "
          f"{args.skus:,} SKUs, prepared and measured in {time.perf_counter() - began:.0f} s")
    for t in timings:
        print(f"{t.label}: {t.orders:,} orders in {t.elapsed_ms:,.0f} ms = "
              f"{t.orders_per_second:,.0f} orders/s ({t.changed:,} changed)")


if __name__ == "__main__":
    main()
