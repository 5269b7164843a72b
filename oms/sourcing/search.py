"""The exact allocation of a split order: branch and bound over the candidate nodes.

Objective, lexicographic: the most units covered with at most `max_splits` nodes, then the
fewest nodes, then the least total cost. A node's cost follows the ranking: its position
in the rule's preferred node types first (when the rule prefers any), then 1 - score; with
the default rule the score is min-max normalised distance, so for a given number of nodes
the least cost is the least total distance. A chosen set's units are taken node by node in
rank order (`allocation.take`).

The greedy cover (`allocation.greedy_cover`) is the first incumbent; only a strictly
better set replaces it, so on a tie its picks stay. Before searching, a candidate that at
least `max_splits` better-ranked candidates dominate (each holding at least as many of
every wanted unit) is dropped: a set using it can swap it for a dominator it lacks, and
covers as much at no more cost, so an optimum survives. The search adds nodes in rank
order (cheapest first), only nodes covering units still wanted, and prunes with an upper
bound on what the free slots can add (per SKU: what the `free` remaining nodes holding
most of it hold together; in all: the `free` largest remaining holdings) and a lower bound
on their cost (the next node in rank order is the cheapest left).

How the allocation was found (`AllocationSearch`):

- EXACT: the search finished, the allocation is an optimum. Also without a search: one
  node holding everything is the fewest possible and the best-ranked such node the
  cheapest (`allocation.plan` step 1); SHIP_COMPLETE allows only that or nothing, so what
  it decides is the optimum of what it allows.
- HEURISTIC: more than SEARCH_LIMIT candidates after the reduction (the search is not
  tried), or the search ran out of SEARCH_BUDGET_S: the best set found until then, which
  is the greedy cover unless the search beat it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import sub
from time import perf_counter
from typing import NamedTuple

from oms.enums import AllocationSearch, NodeType
from oms.sourcing.model import NodeSnapshot

SEARCH_BUDGET_S = 0.002
"Longest a search may run before the best set found so far is taken."
SEARCH_LIMIT = 80
"Most candidates, after the reduction, that a search is tried over."
REDUCE_LIMIT = 256
"Most candidates (after keeping `max_splits` of each identical holding) worth reducing."
CLOCK_EVERY = 32
"Sets visited between two looks at the clock."

Vector = tuple[int, ...]
"Units a node can give of each wanted SKU, in demand order."


class Score(NamedTuple):
    """A set's standing, compared lexicographically by `beats`."""

    covered: int
    nodes: int
    cost: float


class Found(NamedTuple):
    chosen: list[int] | None
    "Indices (into the ranked nodes, rank order) of a set better than the greedy; None: the greedy."
    search: AllocationSearch


def node_costs(
    ranked: Sequence[NodeSnapshot], scores: Sequence[float], preferred: Sequence[NodeType],
    max_splits: int,
) -> list[float]:
    """Each ranked node's cost: preferred-type position, then 1 - score, as one float.

    A position counts `max_splits + 1` so that no sum of at most `max_splits` (1 - score)
    terms, each at most 1, outweighs one step of type preference; rank order is then cost
    order, which the search's cost bound relies on.
    """
    if not preferred:
        return [1.0 - score for score in scores]
    position = {node_type: index for index, node_type in enumerate(preferred)}
    step = max_splits + 1
    return [position.get(node.type, len(preferred)) * step + 1.0 - score
            for node, score in zip(ranked, scores, strict=True)]


def search(
    demand: Mapping[str, int], ranked: Sequence[NodeSnapshot], costs: Sequence[float],
    greedy: Sequence[int], max_splits: int,
) -> Found:
    """The best set of at most `max_splits` ranked nodes, against the greedy's `greedy` indices."""
    started = perf_counter()
    vectors = capped(ranked, demand)
    candidates = reduce(vectors, max_splits)
    if len(candidates) > SEARCH_LIMIT:
        return Found(None, AllocationSearch.HEURISTIC)
    incumbent = _score(greedy, vectors, costs, tuple(demand.values()))
    bnb = BranchAndBound([vectors[i] for i in candidates], [costs[i] for i in candidates],
                         max_splits, incumbent, started + SEARCH_BUDGET_S)
    bnb.extend(0, 0, tuple(demand.values()), 0, 0.0, ())
    chosen = None if bnb.best is None else [candidates[i] for i in bnb.best]
    label = AllocationSearch.HEURISTIC if bnb.timed_out else AllocationSearch.EXACT
    return Found(chosen, label)


def capped(ranked: Sequence[NodeSnapshot], demand: Mapping[str, int]) -> list[Vector]:
    """What each node can give of each wanted SKU, at most what is wanted, never negative
    (built a SKU at a time: a column is one list comprehension)."""
    stocks = [node.stock for node in ranked]
    columns = []
    for sku, wanted in demand.items():
        held = [stock.get(sku, 0) for stock in stocks]
        columns.append([wanted if units >= wanted else units if units > 0 else 0 for units in held])
    return list(zip(*columns, strict=True))


def reduce(vectors: Sequence[Vector], slots: int) -> list[int]:
    """Indices of the candidates worth searching, in rank order (see the module docstring).

    Only nodes that hold something count. Identical holdings keep their `slots`
    best-ranked nodes; then, up to REDUCE_LIMIT of those, a node is dropped when `slots`
    better-ranked ones hold at least as much of every SKU (bit sets: one bit per node).
    """
    seen: dict[Vector, int] = {}
    kept: list[int] = []
    for index, vector in enumerate(vectors):
        copies = seen.get(vector, 0)
        if copies < slots and any(vector):
            seen[vector] = copies + 1
            kept.append(index)
    if not kept or len(kept) > REDUCE_LIMIT:
        return kept
    at_least = [_at_least([vectors[i][sku] for i in kept]) for sku in range(len(vectors[0]))]
    survivors: list[int] = []
    for position, index in enumerate(kept):
        dominators = (1 << position) - 1
        for sku, units in enumerate(vectors[index]):
            if units:
                dominators &= at_least[sku][units]
        if dominators.bit_count() < slots:
            survivors.append(index)
    return survivors


def _at_least(column: Sequence[int]) -> dict[int, int]:
    """Per value held, the bit set of the positions holding at least that much."""
    holding: dict[int, int] = {}
    for position, units in enumerate(column):
        if units:
            holding[units] = holding.get(units, 0) | (1 << position)
    table: dict[int, int] = {}
    bits = 0
    for units in sorted(holding, reverse=True):
        bits |= holding[units]
        table[units] = bits
    return table


def _score(indices: Sequence[int], vectors: Sequence[Vector], costs: Sequence[float],
           wanted: Vector) -> Score:
    """A set's units, nodes and cost, the cost summed in rank order as the search sums it."""
    if not indices:
        return Score(0, 0, 0.0)
    totals = [sum(column) for column in zip(*(vectors[i] for i in indices), strict=True)]
    covered = sum(min(total, need) for total, need in zip(totals, wanted, strict=True))
    cost = 0.0
    for index in sorted(indices):
        cost += costs[index]
    return Score(covered, len(indices), cost)


def beats(challenger: Score, incumbent: Score) -> bool:
    """More units, else as many on fewer nodes, else as many on as many nodes for less."""
    if challenger.covered != incumbent.covered:
        return challenger.covered > incumbent.covered
    if challenger.nodes != incumbent.nodes:
        return challenger.nodes < incumbent.nodes
    return challenger.cost < incumbent.cost


class BranchAndBound:
    """Depth-first over sets of candidates in rank order, keeping the best found."""

    def __init__(self, vectors: list[Vector], costs: list[float], slots: int,
                 incumbent: Score, deadline: float) -> None:
        self.vectors = vectors
        self.costs = costs
        self.slots = slots
        self.incumbent = incumbent
        self.deadline = deadline
        self.best: tuple[int, ...] | None = None
        self.timed_out = False
        self.visits = 0
        self.most_after, self.widest_after = _suffix_bounds(vectors, slots)

    def extend(self, start: int, count: int, wanted: Vector, covered: int, cost: float,
               chosen: tuple[int, ...]) -> None:
        """Try every candidate from `start` on as the next of `chosen` (`count` nodes that
        cover `covered` units for `cost`, `wanted` still wanted per SKU)."""
        free = self.slots - count
        still = sum(wanted)
        for index in range(start, len(self.vectors)):
            if self._out_of_time():
                return
            reach = covered + self._gain_bound(index, free, wanted, still)
            best = self.incumbent
            if reach < best.covered or (reach == best.covered and (
                    count + 1 > best.nodes
                    or (count + 1 == best.nodes and cost + self.costs[index] >= best.cost))):
                return  # bounds only tighten further on in rank order
            left = tuple(map(sub, wanted, map(min, wanted, self.vectors[index])))
            gained = still - sum(left)
            if not gained:
                continue
            score = Score(covered + gained, count + 1, cost + self.costs[index])
            if beats(score, best):
                self.incumbent, self.best = score, (*chosen, index)
            if free > 1 and gained < still:
                self.extend(index + 1, count + 1, left, score.covered, score.cost, (*chosen, index))

    def _gain_bound(self, index: int, free: int, wanted: Vector, still: int) -> int:
        """At most how many of the `still` wanted units `free` candidates from `index` on add."""
        per_sku = sum(map(min, wanted, self.most_after[index][free - 1]))
        return min(per_sku, self.widest_after[index][free - 1], still)

    def _out_of_time(self) -> bool:
        self.visits += 1
        if self.visits % CLOCK_EVERY == 0 and perf_counter() > self.deadline:
            self.timed_out = True
        return self.timed_out


def _suffix_bounds(vectors: Sequence[Vector], slots: int) -> tuple[list[list[Vector]], list[list[int]]]:
    """Per position and number of nodes t (1 to `slots`, at t - 1): the most t candidates from
    there on hold of each SKU, and the most units t of them hold in all (sums of the t
    largest; the same t need not reach both)."""
    width = len(vectors[0]) if vectors else 0
    per_sku: list[list[int]] = [[] for _ in range(width)]
    whole: list[int] = []
    most: list[list[Vector]] = [[(0,) * width] * slots]
    widest: list[list[int]] = [[0] * slots]
    for vector in reversed(vectors):
        for largest, units in zip(per_sku, vector, strict=True):
            _keep_largest(largest, units, slots)
        _keep_largest(whole, sum(vector), slots)
        most.append([tuple(sum(largest[:t]) for largest in per_sku) for t in range(1, slots + 1)])
        widest.append([sum(whole[:t]) for t in range(1, slots + 1)])
    most.reverse()
    widest.reverse()
    return most, widest


def _keep_largest(largest: list[int], value: int, size: int) -> None:
    """Add `value` to `largest`, the `size` largest values so far, largest first."""
    if value and (len(largest) < size or value > largest[-1]):
        largest.append(value)
        largest.sort(reverse=True)
        del largest[size:]
