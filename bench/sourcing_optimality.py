"""P6 (in-process): how close the engine's allocation is to the optimum, against a brute force.

Seeded random orders (1-6 lines, quantities above what one node holds often enough to split)
over random 60-200-node networks in Italy and Spain, each SKU held by a few nodes so that the
candidates stay few enough to enumerate. The brute force is independent of the engine's search:
every set of at most `max_splits` candidates, scored directly by units covered, nodes and total
km; the optimum is the most units, then the fewest nodes, then the least km (the default rule
weighs distance only). The greedy set cover alone (the engine before the exact search) is scored
beside it. Part of `python -m bench`; alone: .venv/bin/python -m bench.sourcing_optimality
[--orders 1000]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

from oms.enums import AllocationSearch, DeliveryMethod, NodeType
from oms.sourcing import (
    DEFAULT_RULE,
    ChannelView,
    Decision,
    Destination,
    NodeSnapshot,
    Rule,
    SourcingRequest,
    decide,
)
from oms.sourcing.allocation import greedy_cover, holdings_until_whole
from oms.sourcing.geo import distance_km, resolve_point

BOX = ((36.5, 46.5), (-9.0, 18.0))
"Latitudes and longitudes the nodes and destinations are drawn in (Italy and Spain)."
WEB = ChannelView("web")


@dataclass(frozen=True)
class Case:
    request: SourcingRequest
    rule: Rule
    nodes: list[NodeSnapshot]


def _node(number: int, rng: random.Random, stock: dict[str, int]) -> NodeSnapshot:
    (lat_low, lat_high), (lon_low, lon_high) = BOX
    return NodeSnapshot(
        code=f"N{number:03d}", type=NodeType.WAREHOUSE, active=True,
        latitude=rng.uniform(lat_low, lat_high), longitude=rng.uniform(lon_low, lon_high),
        country=None, priority=10, can_ship=True, can_pickup=False, daily_capacity=None,
        fulfillments_today=0, backlog=0, processing_time_hours=24.0, cost_base=5.0,
        cost_per_km=0.0, stock=stock)


def random_case(rng: random.Random) -> Case:
    """One order over a network of its own: 12 SKUs, each held (1-5 units) by 2-6 of the
    10-24 nodes that stock them, so that holdings overlap and the cover is a real choice."""
    size = rng.randint(60, 200)
    stocks: list[dict[str, int]] = [{} for _ in range(size)]
    skus = [f"S{number:02d}" for number in range(12)]
    holders = rng.sample(range(size), rng.randint(10, 24))
    for sku in skus:
        for holder in rng.sample(holders, rng.randint(2, 6)):
            stocks[holder][sku] = rng.randint(1, 5)
    nodes = [_node(number, rng, stock) for number, stock in enumerate(stocks)]
    lines = tuple((sku, rng.randint(1, 8)) for sku in rng.sample(skus, rng.randint(1, 6)))
    (lat_low, lat_high), (lon_low, lon_high) = BOX
    destination = Destination(rng.uniform(lat_low, lat_high), rng.uniform(lon_low, lon_high), None)
    request = SourcingRequest(WEB, DeliveryMethod.SHIP_TO_ADDRESS, destination, None, lines)
    rule = dataclasses.replace(DEFAULT_RULE, max_splits=rng.choice((2, 3, 3)))
    return Case(request, rule, nodes)


def cases(seed: int, count: int) -> Iterator[Case]:
    rng = random.Random(seed)
    for _ in range(count):
        yield random_case(rng)


@dataclass(frozen=True)
class Outcome:
    """Units covered, nodes shipping and their total km."""

    covered: int
    nodes: int
    km: float

    def key(self) -> tuple[int, int, float]:
        return (-self.covered, self.nodes, self.km)


def _km(case: Case) -> dict[str, float]:
    target = resolve_point(case.request.destination.latitude, case.request.destination.longitude,
                           None) if case.request.destination else None
    assert target is not None
    return {node.code: distance_km(node.latitude, node.longitude, None, target) or 0.0
            for node in case.nodes}


def brute_force(case: Case, km: dict[str, float]) -> Outcome:
    """The optimum over every set of at most `max_splits` nodes holding something wanted."""
    demand = case.request.demand()
    holders = [(node.code, [max(0, min(node.stock.get(sku, 0), want)) for sku, want in demand.items()])
               for node in case.nodes]
    holders = [(code, units) for code, units in holders if any(units)]
    wanted = list(demand.values())
    best = Outcome(0, 0, 0.0)
    for size in range(1, case.rule.max_splits + 1):
        for chosen in combinations(holders, size):
            totals = [sum(column) for column in zip(*(units for _, units in chosen), strict=True)]
            covered = sum(min(total, want) for total, want in zip(totals, wanted, strict=True))
            found = Outcome(covered, size, sum(km[code] for code, _ in chosen))
            if found.key() < best.key():
                best = found
    return best


def outcome_of(nodes: Sequence[str], covered: int, km: dict[str, float]) -> Outcome:
    return Outcome(covered, len(nodes), sum(km[code] for code in nodes))


def greedy_outcome(case: Case, decision: Decision, km: dict[str, float]) -> Outcome:
    """The greedy set cover alone over the engine's ranking (the engine before the search)."""
    by_code = {node.code: node for node in case.nodes}
    ranked = [by_code[c.node_code] for c in decision.candidates if not c.excluded]
    remaining = case.request.demand()
    _, coverages = holdings_until_whole(remaining, ranked)
    whole = sum(remaining.values())
    if whole in coverages:
        return outcome_of([ranked[coverages.index(whole)].code], whole, km)
    picks, chosen = greedy_cover(remaining, ranked, coverages, case.rule.max_splits)
    return outcome_of([ranked[index].code for index in chosen], sum(q for _, _, q in picks), km)


@dataclass
class Tally:
    """How one allocator's outcomes compare with the optimum: orders with as many units on as
    many nodes (at the optimal number of shipments), and with the same km too (at the
    optimum); extra shipments and units short, summed over orders; excess distance, the mean
    over all orders of (km - optimal km) / optimal km, in %."""

    orders: int = 0
    at_optimal_shipments: int = 0
    extra_shipments: int = 0
    units_short: int = 0
    at_optimum: int = 0
    excess_km_pct: float = 0.0

    def add(self, found: Outcome, best: Outcome) -> None:
        self.orders += 1
        self.units_short += best.covered - found.covered
        same_units = found.covered == best.covered
        if same_units and found.nodes == best.nodes:
            self.at_optimal_shipments += 1
            if abs(found.km - best.km) <= 1e-9 * max(1.0, best.km):
                self.at_optimum += 1
        self.extra_shipments += max(0, found.nodes - best.nodes)
        if best.km > 0 and abs(found.km - best.km) > 1e-9 * best.km:
            self.excess_km_pct += (found.km - best.km) / best.km * 100

    def line(self, label: str) -> str:
        return (f"{label}: {self.at_optimal_shipments / self.orders:.1%} at the optimum number of "
                f"shipments (units short {self.units_short}, extra shipments {self.extra_shipments}), "
                f"{self.at_optimum / self.orders:.1%} at the exact optimum, mean excess distance "
                f"{self.excess_km_pct / self.orders:.3f}%")


@dataclass
class Report:
    engine: Tally
    greedy: Tally
    split_orders: int
    exact: int
    heuristic: int
    p50_ms: float
    p99_ms: float
    mismatched_exact: list[int]
    "Orders whose search said EXACT but whose outcome differs from the brute force (should be none)."


def measure(seed: int = 11, orders: int = 1000) -> Report:
    engine, greedy = Tally(), Tally()
    split = exact = heuristic = 0
    timings: list[float] = []
    mismatched: list[int] = []
    for number, case in enumerate(cases(seed, orders)):
        started = time.perf_counter()
        decision = decide(case.request, case.rule, case.nodes)
        timings.append((time.perf_counter() - started) * 1000)
        km = _km(case)
        best = brute_force(case, km)
        found = outcome_of(decision.node_codes, sum(a.quantity for a in decision.allocations), km)
        engine.add(found, best)
        greedy.add(greedy_outcome(case, decision, km), best)
        split += best.nodes > 1
        if decision.search is AllocationSearch.EXACT:
            exact += 1
            if found.key()[:2] != best.key()[:2] or abs(found.km - best.km) > 1e-9 * max(1.0, best.km):
                mismatched.append(number)
        else:
            heuristic += 1
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    return Report(engine, greedy, split, exact, heuristic, statistics.median(timings), p99, mismatched)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true", help="the report as JSON")
    args = parser.parse_args()
    report = measure(args.seed, args.orders)
    if args.json:
        print(json.dumps(dataclasses.asdict(report)))
        return
    print(f"{report.engine.orders} orders over random 60-200-node networks, {report.split_orders} "
          f"needing more than one node (in-process)")
    print(report.engine.line("engine"))
    print(report.greedy.line("greedy cover alone"))
    print(f"search: {report.exact} EXACT, {report.heuristic} HEURISTIC; EXACT but not optimal: "
          f"{len(report.mismatched_exact)}")
    print(f"decide(): p50 {report.p50_ms:.2f} ms, p99 {report.p99_ms:.2f} ms")


if __name__ == "__main__":
    main()
