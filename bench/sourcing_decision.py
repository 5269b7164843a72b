"""P5 (in-process): time one sourcing decision, a 5-line order over 1,000 nodes in Italy and Spain.

The pure engine only (`oms.sourcing.decide`), no server, no database: labelled in-process.
Each case is timed twice: the decision, and the decision with its explanation read (the
1,000 candidates put together with their reasons in words, as the stored record and the
API's explanation read them; `oms.sourcing.model.Candidates`).
Part of `python -m bench`; alone: .venv/bin/python -m bench.sourcing_decision [--runs 2000]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import time
from dataclasses import dataclass

from oms.app import settle_heap
from oms.enums import DeliveryMethod, NodeType
from oms.sourcing import (
    ChannelView,
    Destination,
    NodeSnapshot,
    Rule,
    SourcingRequest,
    Weights,
    decide,
)

SKUS = [f"SKU-{number:03d}" for number in range(50)]
REGIONS = {"IT": ((37.0, 46.5), (7.0, 18.0)), "ES": ((36.5, 43.5), (-9.0, 3.0))}
NODE_TYPES = [NodeType.WAREHOUSE, NodeType.STORE, NodeType.STORE, NodeType.DISTRIBUTION_CENTER]


def random_node(rng: random.Random, number: int) -> NodeSnapshot:
    country = rng.choice(list(REGIONS))
    (lat_low, lat_high), (lon_low, lon_high) = REGIONS[country]
    capacity = rng.choice([None, 50, 200])
    return NodeSnapshot(
        code=f"N{number:04d}",
        type=rng.choice(NODE_TYPES),
        active=rng.random() > 0.03,
        latitude=rng.uniform(lat_low, lat_high),
        longitude=rng.uniform(lon_low, lon_high),
        country=country,
        priority=rng.randint(1, 100),
        can_ship=rng.random() > 0.05,
        can_pickup=rng.random() > 0.5,
        daily_capacity=capacity,
        fulfillments_today=rng.randint(0, capacity or 100),
        backlog=rng.randint(0, 40),
        processing_time_hours=rng.choice([2.0, 4.0, 24.0, 48.0]),
        cost_base=rng.uniform(3, 8),
        cost_per_km=rng.uniform(0.001, 0.01),
        stock={sku: rng.randint(0, 6) for sku in rng.sample(SKUS, 20)},
    )


def build(seed: int, quantity: int) -> tuple[SourcingRequest, Rule, list[NodeSnapshot]]:
    rng = random.Random(seed)
    nodes = [random_node(rng, number) for number in range(1000)]
    request = SourcingRequest(
        channel=ChannelView("web", frozenset({"N0001", "N0002"}), frozenset()),
        delivery_method=DeliveryMethod.SHIP_TO_ADDRESS,
        destination=Destination(45.46, 9.19, "IT"),
        pickup_node_code=None,
        lines=tuple((sku, quantity) for sku in rng.sample(SKUS, 5)),
    )
    weights = Weights(distance=1, cost=0.5, priority=0.2, backlog=0.2, processing_time=0.1)
    rule = Rule(id="r1", name="bench", rank=1, weights=weights, max_splits=3)
    return request, rule, nodes


CASES = (("1 unit per line", 1), ("12 units per line (splits)", 12))


@dataclass(frozen=True)
class Timing:
    label: str
    p50_ms: float
    p99_ms: float
    max_ms: float
    summary: str
    explained_p50_ms: float
    "The decision with its explanation read too (1,000 candidates put together, in words)."
    explained_p99_ms: float


def measure(label: str, request: SourcingRequest, rule: Rule, nodes: list[NodeSnapshot],
            runs: int) -> Timing:
    # As `oms serve` does once started (`settle_heap`): what lives before the decisions (here
    # the network) is out of the collector's sight, so a full collection walks only what the
    # decisions themselves leave, as in the server.
    settle_heap()
    for _ in range(50):
        len(decide(request, rule, nodes).candidates)
    timings, explained = [], []
    for _ in range(runs):
        started = time.perf_counter()
        decision = decide(request, rule, nodes)
        timings.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        len(decide(request, rule, nodes).candidates)
        explained.append((time.perf_counter() - started) * 1000)
    timings.sort()
    explained.sort()
    eligible = sum(not c.excluded for c in decision.candidates)
    summary = (f"{len(decision.node_codes)} node(s), {len(decision.backordered)} backordered "
               f"line(s), {eligible} eligible")
    return Timing(label, statistics.median(timings), _p99(timings), timings[-1], summary,
                  statistics.median(explained), _p99(explained))


def _p99(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timings(runs: int = 2000, seed: int = 7) -> list[Timing]:
    """p50/p99 of `decide()` for each case."""
    return [measure(label, *build(seed, quantity), runs) for label, quantity in CASES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="one JSON list of timings")
    args = parser.parse_args()
    if args.json:
        print(json.dumps([dataclasses.asdict(t) for t in timings(args.runs, args.seed)]))
        return
    print(f"decide(): 5 lines over 1,000 nodes, {args.runs} runs (in-process)")
    for t in timings(args.runs, args.seed):
        print(f"{t.label}: {t.summary} | p50 {t.p50_ms:.2f} ms  p99 {t.p99_ms:.2f} ms"
              f"  max {t.max_ms:.2f} ms | with its explanation read: p50 "
              f"{t.explained_p50_ms:.2f} ms  p99 {t.explained_p99_ms:.2f} ms")


if __name__ == "__main__":
    main()
