"""P7: how fast `replaySourcing` replays a window of past orders, through the API and in-process.

Builds a network on a database of its own (SQLite by default), places the orders one after
another through the domain's placement (`oms.orders.placement`, the clock moved a minute per
order, so the window spans days and daily capacities count). Then, for the live rules and a
tried rule set, at order time (stock rebuilt from the ledger) and on today's stock:
- through the API: `oms serve` on that database, the query sent from this process (the load
  generator) over HTTP, timed as the client waits; beside it, in the same run, the round trip
  of `{ __typename }` (the floor of any request) and
- in-process: `oms.routing.replay.replay_sourcing` called directly (loading included), the
  ceiling without HTTP and GraphQL.
Part of `python -m bench`; alone:
    .venv/bin/python -m bench.replay [--orders 5000] [--nodes 200] [--database-url URL]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx

from bench.prepare import reset_database
from bench.servers import oms_server, run_oms
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
    how: str
    "in-process, or HTTP (oms serve)"
    orders: int
    elapsed_ms: float
    "Best of two runs, as the caller waits (loading included)."
    orders_per_second: float
    changed: int


CASES = [("live rules, stock at order time", None, ReplayStock.AT_ORDER_TIME),
         ("tried rules, stock at order time", TRIED, ReplayStock.AT_ORDER_TIME),
         ("tried rules, today's stock", TRIED, ReplayStock.CURRENT)]
QUERY = """query($input: SourcingReplayInput!) { replaySourcing(input: $input) {
  ordersInWindow changedOrders elapsedMs
  replayed { ...o } actual { ...o }
  examples(first: 10) { order { number } actual { node { code } sku quantity }
                        replayed { node { code } sku quantity } } } }
fragment o on SourcingOutcome { orders fullySourced backorderedUnits shipments splitRate
  meanDistanceKm capacityBreaches nodeLoad { node { code } units fulfillments } }"""


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


async def in_process(start: datetime, end: datetime, limit: int) -> list[Timing]:
    """Each case through `replay_sourcing` directly; the best of two runs."""
    timings = []
    for label, rules, stock in CASES:
        runs = []
        for _ in range(2):
            began = time.perf_counter()
            result = await replay_sourcing(None, ReplaySpec(start, end, rules=rules, stock=stock,
                                                            limit=limit))
            runs.append(((time.perf_counter() - began) * 1000, result))
        elapsed, result = min(runs, key=lambda run: run[0])
        timings.append(_timing(label, "in-process", result.replayed.orders, elapsed,
                               result.changed_orders))
    return timings


def through_api(url: str, start: datetime, end: datetime, limit: int, workdir: Path
                ) -> tuple[list[Timing], float]:
    """Each case sent to `oms serve` over HTTP (best of two), and the median round trip of
    `{ __typename }` in the same run."""
    env = {**os.environ, "OMS_DATABASE_URL": url}
    env.pop("OMS_REDIS_URL", None)
    token = run_oms(env, "token", "create", "--name", "bench", "--scope", "admin",
                    "--rate-limit", "1000000").splitlines()[-1]
    server = oms_server(env, workdir).start(timeout=120)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=600) as client:
            floor = []
            for _ in range(21):
                began = time.perf_counter()
                client.post("/graphql", json={"query": "{ __typename }"}).raise_for_status()
                floor.append((time.perf_counter() - began) * 1000)
            timings = []
            for label, rules, stock in CASES:
                given = {"from": start.isoformat(), "to": end.isoformat(), "stock": str(stock),
                         "limit": limit, **({"rules": [_rule_input(r) for r in rules]}
                                            if rules else {})}
                runs = []
                for _ in range(2):
                    began = time.perf_counter()
                    answer = client.post("/graphql", json={"query": QUERY,
                                                           "variables": {"input": given}})
                    runs.append(((time.perf_counter() - began) * 1000, answer.json()))
                elapsed, body = min(runs, key=lambda run: run[0])
                if body.get("errors"):
                    raise RuntimeError(f"replaySourcing refused: {body['errors']}")
                found = body["data"]["replaySourcing"]
                timings.append(_timing(label, "HTTP (oms serve)", found["replayed"]["orders"],
                                       elapsed, found["changedOrders"]))
    finally:
        server.stop()
    return timings, statistics.median(floor)


def _rule_input(spec: RuleSpec) -> dict[str, object]:
    return {"name": spec.name, "rank": spec.rank, "maxSplits": spec.max_splits,
            "preferNodeTypes": [str(t) for t in spec.prefer_node_types],
            "weights": {"distance": 0, **spec.weights}}


def _timing(label: str, how: str, orders: int, elapsed: float, changed: int) -> Timing:
    return Timing(label, how, orders, elapsed, orders / elapsed * 1000 if elapsed else 0.0,
                  changed)


@dataclass(frozen=True)
class Result:
    timings: list[Timing]
    floor_ms: float
    "Median round trip of `{ __typename }` to the same server, in the same run."


async def _prepared(url: str, orders: int, nodes: int, skus: int
                    ) -> tuple[datetime, datetime, list[Timing]]:
    """The database prepared, and the in-process timings over its window."""
    try:
        start, end = await prepare(url, orders, nodes, skus)
        return start, end, await in_process(start, end, orders)
    finally:
        await db.close_db()


def run(url: str | None, orders: int, nodes: int, skus: int) -> Result:
    workdir = Path(tempfile.mkdtemp(prefix="oms-replay-"))
    if url is None:
        url = f"sqlite://{workdir / 'replay.sqlite3'}"
    else:
        asyncio.run(reset_database(url))
    try:
        start, end, timings = asyncio.run(_prepared(url, orders, nodes, skus))
        served, floor = through_api(url, start, end, orders, workdir)
        return Result([*served, *timings], floor)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--database-url", help="PostgreSQL database of its own (wiped); "
                                               "default: a temporary SQLite file")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args()
    began = time.perf_counter()
    result = run(args.database_url, args.orders, args.nodes, args.skus)
    if args.json:
        print(json.dumps({"timings": [asdict(t) for t in result.timings],
                          "floor_ms": result.floor_ms}))
        return
    print(f"replaySourcing: {args.orders:,} orders over {args.nodes} nodes x {args.skus:,} SKUs, "
          f"prepared and measured in {time.perf_counter() - began:.0f} s; "
          f"{{ __typename }} round trip {result.floor_ms:.1f} ms")
    for t in result.timings:
        print(f"{t.how}, {t.label}: {t.orders:,} orders in {t.elapsed_ms:,.0f} ms = "
              f"{t.orders_per_second:,.0f} orders/s ({t.changed:,} changed)")


if __name__ == "__main__":
    main()
