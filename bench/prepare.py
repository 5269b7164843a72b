"""Prepare the benchmark database: wipe, `oms migrate`, `oms token create`, then the network
through the public API (nodes, channels, rules) and its positions.

Positions go in through `oms import-inventory` (the product path) when it is fast enough,
else by a bulk SQL load that writes what a sync writes (SKUs, positions, SYNC ledger
entries). `--load auto` imports a probe first and picks the SQL load when the rest would
take longer than its budget. P4 measures the product paths either way.
"""
from __future__ import annotations

import asyncio
import csv
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bench.api import UPSERT_CHANNEL, UPSERT_NODE, UPSERT_RULE, Api
from bench.network import RULE_INPUTS, Network, Position
from bench.servers import run_oms

AUTO_BUDGET_SECONDS = 60


async def reset_database(url: str) -> None:
    """Create the database if missing, then drop and recreate its `public` schema."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name in ("", "test", "postgres"):
        raise SystemExit(f"refusing to wipe database {name!r}: give the benchmark its own")
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def reset_and_migrate(env: dict[str, str]) -> str:
    """A wiped, migrated database and a fresh admin token (its secret), with rate and
    connection limits far above what the load reaches, so they are checked (in Redis) on
    every request and socket, as in production, without refusing any."""
    asyncio.run(reset_database(env["OMS_DATABASE_URL"]))
    run_oms(env, "migrate")
    return run_oms(env, "token", "create", "--name", "bench", "--scope", "admin",
                   "--rate-limit", "1000000", "--max-connections", "1000000").splitlines()[-1]


def configure(api: Api, network: Network) -> None:
    """Nodes, channels and routing rules, one public mutation each."""
    for node in network.nodes:
        api.graphql(UPSERT_NODE, {"i": node.api_input()})
    for channel in network.channels():
        api.graphql(UPSERT_CHANNEL, {"i": channel})
    for rule in RULE_INPUTS:
        api.graphql(UPSERT_RULE, {"i": rule})


def write_csv(path: Path, rows: Iterable[Position]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "node_code", "on_hand", "safety_stock"])
        writer.writerows(rows)
    return path


def import_csv(env: dict[str, str], path: Path, timeout: float = 900) -> float:
    """`oms import-inventory FILE`, wall-clock seconds (the whole command, as a user waits)."""
    started = time.perf_counter()
    run_oms(env, "import-inventory", str(path), timeout=timeout)
    return time.perf_counter() - started


SQL_LOAD = """
INSERT INTO sku (code, created_at) SELECT DISTINCT sku, now() FROM bench_positions
ON CONFLICT DO NOTHING;
WITH inserted AS (
  INSERT INTO inventory_position
    (sku, node_id, on_hand, reserved, safety_stock, scrapped, return_to_vendor, updated_at)
  SELECT p.sku, n.id, p.on_hand, 0, p.safety_stock, 0, 0, now()
  FROM bench_positions p JOIN node n ON n.code = p.node_code
  ON CONFLICT (sku, node_id) DO NOTHING
  RETURNING sku, node_id, on_hand)
INSERT INTO stock_ledger (sku, node_id, bucket, delta, resulting, reason, note, actor, at)
SELECT sku, node_id, 'ON_HAND', on_hand, on_hand, 'SYNC', 'bench bulk load', 'bench', now()
FROM inserted WHERE on_hand <> 0;
"""


async def _sql_load(url: str, positions: list[Position]) -> None:
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute("CREATE TEMP TABLE bench_positions (sku text, node_code text, "
                               "on_hand int, safety_stock int) ON COMMIT DROP")
            await conn.copy_records_to_table("bench_positions", records=positions)
            await conn.execute(SQL_LOAD)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def load_positions(env: dict[str, str], network: Network, mode: str, workdir: Path) -> str:
    """Load every position; how it was done (for the report)."""
    positions = network.positions
    if mode == "import":
        seconds = import_csv(env, write_csv(workdir / "network.csv", positions))
        return f"oms import-inventory, {len(positions):,} rows in {seconds:.1f} s"
    if mode == "sql":
        asyncio.run(_sql_load(env["OMS_DATABASE_URL"], positions))
        return f"bulk SQL load of {len(positions):,} positions"
    probe = positions[: max(1, len(positions) // 40)]
    seconds = import_csv(env, write_csv(workdir / "probe.csv", probe))
    projected = seconds * len(positions) / len(probe)
    if projected <= AUTO_BUDGET_SECONDS:
        rest = import_csv(env, write_csv(workdir / "network.csv", positions))
        return f"oms import-inventory, {len(positions):,} rows in {rest:.1f} s"
    asyncio.run(_sql_load(env["OMS_DATABASE_URL"], positions))
    return (f"bulk SQL load (a {len(probe):,}-row oms import-inventory probe took {seconds:.1f} s: "
            f"{projected:.0f} s projected for {len(positions):,})")
