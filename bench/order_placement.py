"""Orders per second for concurrent placement: 2-line orders over 200 nodes on PostgreSQL.

Each order runs the real domain path (`place_order` in one unit of work): checks,
sourcing over a snapshot, conditional holds, rows, history, outbox, number.

Run: .venv/bin/python bench/order_placement.py [--seconds 20] [--concurrency 10]
     [--processes 2] [--url postgres://postgres@127.0.0.1:5432/omsbench]
The database is wiped (public schema dropped) and migrated first.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import time
from decimal import Decimal

from tortoise import connections

from oms import db
from oms.catalog import ChannelSpec, NodeSpec, upsert_channel, upsert_node
from oms.config import Settings
from oms.enums import ChannelType, DeliveryMethod, NodeType
from oms.inventory import InventoryRecord, sync_inventory
from oms.orders.inputs import LineSpec, OrderSpec, PaymentSpec, Price
from oms.orders.placement import place_order
from oms.uow import unit_of_work

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/omsbench"
NODES = 200
SKUS = 1000
NODES_PER_SKU = 10
UNITS = 100_000


def settings(url: str, pool: int) -> Settings:
    return Settings(database_url=url, db_pool_min=2, db_pool_max=pool)


async def prepare(url: str) -> None:
    """Wipe, migrate, and load 200 nodes, one channel and stock for 1,000 SKUs."""
    conf = settings(url, 5)
    await db.init_db(conf)
    await connections.get("default").execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    await db.close_db()
    await db.migrate(conf)
    await db.close_db()
    await db.init_db(conf)
    rng = random.Random(7)
    async with unit_of_work("bench") as uow:
        for number in range(NODES):
            await upsert_node(uow, NodeSpec(
                code=f"N{number:03d}", name=f"node {number}", type=NodeType.WAREHOUSE,
                latitude=rng.uniform(37.0, 46.5), longitude=rng.uniform(7.0, 18.0),
                priority=rng.randint(1, 100)))
        await upsert_channel(uow, ChannelSpec(code="web", name="web", type=ChannelType.WEB,
                                              currency="EUR"))
        records = [InventoryRecord(f"SKU-{sku:04d}", f"N{node:03d}", UNITS)
                   for sku in range(SKUS) for node in rng.sample(range(NODES), NODES_PER_SKU)]
        await sync_inventory(uow, records)
    await db.close_db()


def order_spec(rng: random.Random) -> OrderSpec:
    first, second = rng.sample(range(SKUS), 2)
    lines = [LineSpec(f"SKU-{sku:04d}", rng.randint(1, 3), Price(Decimal("9.90"), "EUR"))
             for sku in (first, second)]
    total = sum((line.unit_price.amount * line.quantity for line in lines), Decimal(0))
    return OrderSpec(
        channel="web", customer_email="bench@example.com",
        delivery_method=DeliveryMethod.SHIP_TO_ADDRESS, lines=lines,
        shipping_address={"line1": "x", "city": "Roma", "country": "IT",
                          "location": {"latitude": rng.uniform(37.0, 46.5),
                                       "longitude": rng.uniform(7.0, 18.0)}},
        payment=PaymentSpec("psp", Price(total, "EUR")),
    )


async def worker(rng: random.Random, deadline: float, done: list[int]) -> None:
    while time.perf_counter() < deadline:
        async with unit_of_work("bench") as uow:
            await place_order(uow, None, order_spec(rng))
        done[0] += 1


async def run(url: str, seconds: float, concurrency: int, seed: int) -> int:
    await db.init_db(settings(url, concurrency))
    done = [0]
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*[worker(random.Random(seed * 1000 + i), deadline, done)
                           for i in range(concurrency)])
    await db.close_db()
    return done[0]


def process(args: tuple[str, float, int, int]) -> int:
    return asyncio.run(run(*args))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=os.environ.get("OMS_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=10, help="orders in flight per process")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(prepare(args.url))
    started = time.perf_counter()
    jobs = [(args.url, args.seconds, args.concurrency, seed) for seed in range(args.processes)]
    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        placed = sum(pool.map(process, jobs))
    elapsed = time.perf_counter() - started
    print(f"{placed} orders in {elapsed:.1f} s over {args.processes} processes x "
          f"{args.concurrency} in flight, {NODES} nodes: {placed / elapsed:.0f} orders/s")


if __name__ == "__main__":
    main()
