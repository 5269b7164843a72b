"""Which nodes take which units: the fewest nodes first, then the best ranked.

1. The best-ranked node that holds every line in full takes the whole order.
2. Otherwise SHIP_COMPLETE backorders everything (it never splits).
3. Otherwise ALLOW_SPLIT builds a greedy set cover of at most `max_splits` nodes:
   each round picks the node covering the most remaining units (ties go to the
   better-ranked node), lines may be split; what is left is backordered. The greedy
   is then the first bound of an exact search (`oms.sourcing.search`), which replaces
   it with a set covering more units, or as many on fewer or cheaper nodes, when there
   is one; the plan says whether the allocation is EXACT or HEURISTIC.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from heapq import heapify, heappop, heappush
from typing import NamedTuple

from oms.enums import AllocationSearch, SplitPolicy
from oms.sourcing.model import NodeSnapshot
from oms.sourcing.search import Vector, capped, search

CHUNK = 64
"Nodes looked at together while looking for one that holds everything."

Pick = tuple[str, str, int]
"(node code, SKU, quantity)"


class Plan(NamedTuple):
    picks: list[Pick]
    backordered: list[tuple[str, int]]
    search: AllocationSearch


def plan(
    demand: Mapping[str, int],
    ranked: Sequence[NodeSnapshot],
    costs: Callable[[], Sequence[float]],
    policy: SplitPolicy,
    max_splits: int,
) -> Plan:
    """Allocate `demand` (units per SKU) over nodes given best first; `costs` gives their
    costs at the same positions (`search.node_costs`), asked only when a search runs."""
    remaining = dict(demand)
    whole = sum(remaining.values())
    holdings, coverages = holdings_until_whole(remaining, ranked)
    if whole in coverages:
        return Plan(take(ranked[coverages.index(whole)], remaining), [], AllocationSearch.EXACT)
    if policy is SplitPolicy.SHIP_COMPLETE:
        return Plan([], list(remaining.items()), AllocationSearch.EXACT)
    picks, chosen = greedy_cover(remaining, ranked, coverages, max_splits)
    found = search(demand, holdings, costs(), chosen, max_splits)
    if found.chosen is not None:
        remaining = dict(demand)
        picks = [pick for index in found.chosen for pick in take(ranked[index], remaining)]
    return Plan(picks, list(remaining.items()), found.search)


def holdings_until_whole(
    demand: Mapping[str, int], ranked: Sequence[NodeSnapshot]
) -> tuple[list[Vector], list[int]]:
    """What each node can give of each wanted SKU (`search.capped`) and how many units in all,
    best first, worked out a chunk of nodes at a time (a column per SKU), up to the chunk
    holding the first node that has everything: when none has, every node's."""
    whole = sum(demand.values())
    holdings: list[Vector] = []
    coverages: list[int] = []
    for start in range(0, len(ranked), CHUNK):
        chunk = capped(ranked[start:start + CHUNK], demand)
        units = list(map(sum, chunk))
        holdings += chunk
        coverages += units
        if whole in units:
            break
    return holdings, coverages


def greedy_cover(
    remaining: dict[str, int],
    ranked: Sequence[NodeSnapshot],
    coverages: Sequence[int],
    max_splits: int,
) -> tuple[list[Pick], list[int]]:
    """Pick up to `max_splits` nodes, each covering the most units still wanted; the picks
    and the nodes' indices in `ranked`, in the order they were picked.

    `remaining` is reduced in place; `coverages` are each node's units before any
    pick. Coverage only shrinks as units are taken, so a stale coverage is an
    upper bound and a lazy max-heap gives the same picks as rescanning every node
    each round, at a fraction of the cost.
    """
    heap = [(-units, index) for index, units in enumerate(coverages) if units]
    heapify(heap)
    picks: list[Pick] = []
    chosen: list[int] = []
    while heap and remaining and len(chosen) < max_splits:
        stale, index = heappop(heap)
        fresh = -coverage(ranked[index].stock, remaining)
        if fresh != stale:
            if fresh:
                heappush(heap, (fresh, index))
            continue
        picks.extend(take(ranked[index], remaining))
        chosen.append(index)
    return picks, chosen


def coverage(stock: Mapping[str, int], remaining: Mapping[str, int]) -> int:
    """How many of the remaining units this stock could supply."""
    units = 0
    for sku, wanted in remaining.items():
        have = stock.get(sku, 0)
        if have > 0:
            units += have if have < wanted else wanted
    return units


def take(node: NodeSnapshot, remaining: dict[str, int]) -> list[Pick]:
    """Allocate from `node` all it can of `remaining`, reducing `remaining` in place."""
    picks: list[Pick] = []
    for sku, wanted in list(remaining.items()):
        quantity = min(node.stock.get(sku, 0), wanted)
        if quantity <= 0:
            continue
        picks.append((node.code, sku, quantity))
        if quantity == wanted:
            del remaining[sku]
        else:
            remaining[sku] = wanted - quantity
    return picks
