"""Positions per second for inventory ingestion on PostgreSQL: `syncInventory` over HTTP in
batches, and `oms import-inventory` of a generated CSV.

The network: 200 nodes, 5,000 SKUs, 4 channels; every SKU is stocked at ~160 nodes
(800,000 positions, written straight in SQL with their ledger rows, then the read model
rebuilt). `sync` starts `oms serve` in a process of its own and posts snapshots of one
node for every SKU (5,000 records a batch) from this process; `import` writes a CSV of
every (node, SKU) and times `oms import-inventory` (peak memory from getrusage).

Run: .venv/bin/python bench/inventory_sync.py sync [--batches 40] [--batch 5000]
     .venv/bin/python bench/inventory_sync.py import [--rows 1000000]
     [--url postgres://postgres@127.0.0.1:5432/oms_ingest_bench] [--backorders 0]
The database is wiped (public schema dropped) and migrated first.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import httpx
from tortoise import connections

from oms import db
from oms.auth import NewToken, create_token
from oms.availability import read_model
from oms.catalog import ChannelSpec, NodeSpec, upsert_channel, upsert_node
from oms.config import Settings
from oms.enums import ChannelType, DeliveryMethod, NodeType
from oms.orders.inputs import LineSpec, OrderSpec, PaymentSpec, Price
from oms.orders.placement import place_order
from oms.uow import unit_of_work

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/oms_ingest_bench"
NODES = 200
SKUS = 5000
PORT = 8791
SYNC = """mutation($records: [InventoryRecordInput!]!) {
  syncInventory(records: $records) { updated userErrors { code message } } }"""
CHANNELS = (
    ChannelSpec("web", "web", ChannelType.WEB, "EUR"),
    ChannelSpec("app", "app", ChannelType.APP, "EUR", buffer=1, allocation_percent=80),
    ChannelSpec("mkt", "mkt", ChannelType.MARKETPLACE, "EUR", allocation_percent=50,
                node_types=[NodeType.WAREHOUSE]),
    ChannelSpec("shop", "shop", ChannelType.STORE, "EUR", node_types=[NodeType.STORE], buffer=2),
)


def sku(number: int) -> str:
    return f"SKU-{number:05d}"


def node_code(number: int) -> str:
    return f"N{number:03d}"


async def prepare(url: str, backorders: int) -> str:
    """Wipe, migrate, load the network and its stock; returns an admin token."""
    conf = Settings(database_url=url, db_pool_min=1, db_pool_max=4)
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
                code=node_code(number), name=f"node {number}",
                type=NodeType.STORE if number % 4 == 0 else NodeType.WAREHOUSE,
                latitude=rng.uniform(37.0, 46.5), longitude=rng.uniform(7.0, 18.0),
                can_pickup=number % 4 == 0))
        for spec in CHANNELS:
            await upsert_channel(uow, spec)
        _, secret = await create_token(uow, NewToken("bench", ["admin"], [], []))
    await _stock(connections.get("default"))
    if backorders:
        await _backorders(backorders)
    await db.close_db()
    return secret


async def _stock(conn: object) -> None:
    """~160 positions per SKU (node n stocks SKU s unless (s + n) % 5 == 0), in plain SQL."""
    script = f"""
    INSERT INTO sku (code, created_at)
      SELECT 'SKU-' || lpad(s::text, 5, '0'), now() FROM generate_series(0, {SKUS - 1}) s;
    INSERT INTO inventory_position (sku, node_id, on_hand, reserved, safety_stock, scrapped,
                                    return_to_vendor, updated_at)
      SELECT 'SKU-' || lpad(s::text, 5, '0'), n.id, 1 + (s * 7 + n.id) % 50, 0, (s + n.id) % 3,
             0, 0, now()
      FROM generate_series(0, {SKUS - 1}) s CROSS JOIN node n
      WHERE (s + n.id) % 5 <> 0;
    INSERT INTO stock_ledger (sku, node_id, bucket, delta, resulting, reason, at)
      SELECT sku, node_id, 'ON_HAND', on_hand, on_hand, 'SYNC', now() FROM inventory_position;
    ANALYZE;
    """
    await conn.execute_script(script)  # type: ignore[attr-defined]
    async with unit_of_work("bench"):
        await read_model.rebuild()


async def _backorders(count: int) -> None:
    """`count` orders backordered on SKUs nobody stocks yet (BO-0..), waiting for a sync."""
    async with unit_of_work("bench") as uow:
        for number in range(count):
            line = LineSpec(f"BO-{number % 50}", 1, Price(Decimal("9.90"), "EUR"))
            await place_order(uow, None, OrderSpec(
                channel="web", customer_email="bench@example.com",
                delivery_method=DeliveryMethod.SHIP_TO_ADDRESS, lines=[line],
                shipping_address={"line1": "x", "city": "Roma", "country": "IT"},
                payment=PaymentSpec("psp", Price(Decimal("9.90"), "EUR"))))


def batches(count: int, size: int, rng: random.Random) -> list[list[dict[str, object]]]:
    """Snapshots of one node each (`size` SKUs), on-hand levels changed at random."""
    out = []
    for number in range(count):
        at = node_code(number % NODES)
        first = (number // NODES * size) % SKUS
        out.append([{"sku": sku((first + i) % SKUS), "nodeCode": at, "onHand": rng.randint(0, 60)}
                    for i in range(size)])
    return out


def serve(url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OMS_DATABASE_URL": url, "OMS_PORT": str(PORT), "OMS_HOST": "127.0.0.1"}
    env.pop("OMS_REDIS_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "oms.cli", "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit("oms serve did not come up in 30 s")


def run_sync(url: str, token: str, count: int, size: int) -> None:
    work = batches(count, size, random.Random(11))
    server = serve(url)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", headers=headers,
                          timeout=600) as client:
            times = []
            for records in work:
                started = time.perf_counter()
                body = client.post("/graphql", json={"query": SYNC,
                                                     "variables": {"records": records}}).json()
                times.append(time.perf_counter() - started)
                result = body["data"]["syncInventory"]
                assert result["userErrors"] == [] and result["updated"] == size, body
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = sum(times)
    times.sort()
    print(f"syncInventory over HTTP: {count} batches x {size} records in {total:.1f} s: "
          f"{count * size / total:,.0f} positions/s (batch median {times[len(times) // 2]:.2f} s, "
          f"max {times[-1]:.2f} s)")


def run_import(url: str, rows: int) -> None:
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "inventory.csv"
        with path.open("w") as handle:
            handle.write("sku,node_code,on_hand,safety_stock\n")
            for number in range(rows):
                handle.write(f"{sku(number % SKUS)},{node_code(number // SKUS % NODES)},"
                             f"{rng.randint(0, 60)},{rng.randint(0, 2)}\n")
        env = {**os.environ, "OMS_DATABASE_URL": url}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "oms.cli", "import-inventory", str(path)],
                              env=env, capture_output=True, text=True, timeout=3600)
        elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"oms import-inventory: {rows:,} rows in {elapsed:.1f} s: {rows / elapsed:,.0f} rows/s "
          f"(peak RSS {peak:,.0f} MB); {done.stdout.strip().splitlines()[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=("sync", "import"))
    parser.add_argument("--url", default=os.environ.get("OMS_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=NODES * SKUS)
    parser.add_argument("--backorders", type=int, default=0,
                        help="orders waiting for SKUs nobody stocks (the sync does not touch them)")
    args = parser.parse_args()
    token = asyncio.run(prepare(args.url, args.backorders))
    if args.what == "sync":
        run_sync(args.url, token, args.batches, args.batch)
    else:
        run_import(args.url, args.rows)


if __name__ == "__main__":
    main()
