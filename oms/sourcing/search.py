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
bound on what the free slots can add (the sum of the largest gains the remaining nodes
would each bring alone: together they bring no more) and a lower bound on their cost (the
next node in rank order is the cheapest left).

How the allocation was found (`AllocationSearch`):

- EXACT: the search finished, the allocation is an optimum. Also without a search: one
  node holding everything is the fewest possible and the best-ranked such node the
  cheapest (`allocation.plan` step 1); SHIP_COMPLETE allows only that or nothing, so what
  it decides is the optimum of what it allows.
- HEURISTIC: more than SEARCH_LIMIT candidates after the reduction (the search is not
  tried), or the search ran out of SEARCH_BUDGET_S: the best set found until then, which
  is the greedy cover unless the search beat it. The size limit is deterministic; the
  budget is not (a search near it may finish on one run and not on a busier one).
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
    demand: Mapping[str, int], vectors: Sequence[Vector], costs: Sequence[float],
    greedy: Sequence[int], max_splits: int,
) -> Found:
    """The best set of at most `max_splits` ranked nodes, given what each can give (`capped`,
    in rank order), against the greedy's `greedy` indices."""
    started = perf_counter()
    candidates = worth_searching(vectors, max_splits)
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
    columns = [
        [wanted if (units := stock.get(sku, 0)) >= wanted else units if units > 0 else 0
         for stock in stocks]
        for sku, wanted in demand.items()
    ]
    return list(zip(*columns, strict=True)) if columns else [()] * len(stocks)


def worth_searching(vectors: Sequence[Vector], slots: int) -> list[int]:
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
            if len(kept) > REDUCE_LIMIT:
                return kept  # more than SEARCH_LIMIT already: no search, whatever follows
    if not kept:
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
        self.widest_after = _suffix_widest(vectors)

    def extend(self, start: int, count: int, wanted: Vector, covered: int, cost: float,
               chosen: tuple[int, ...]) -> None:
        """Try every candidate from `start` on as the next of `chosen` (`count` nodes that
        cover `covered` units for `cost`, `wanted` still wanted per SKU)."""
        free = self.slots - count
        if free == 1:
            self._last(start, count, wanted, covered, cost, chosen)
            return
        still = sum(wanted)
        vectors = self.vectors
        gains = [sum(map(min, wanted, vectors[index])) for index in range(start, len(vectors))]
        reachable = _suffix_sums_of_largest(gains, free)
        for offset, gained in enumerate(gains):
            if self._out_of_time():
                return
            index = start + offset
            if self._hopeless(covered + min(reachable[offset], still), count, cost, index):
                return  # bounds only tighten further on in rank order
            if not gained:
                continue
            score = Score(covered + gained, count + 1, cost + self.costs[index])
            if beats(score, self.incumbent):
                self.incumbent, self.best = score, (*chosen, index)
            if gained < still:
                left = tuple(map(sub, wanted, map(min, wanted, vectors[index])))
                self.extend(index + 1, count + 1, left, score.covered, score.cost, (*chosen, index))

    def _last(self, start: int, count: int, wanted: Vector, covered: int, cost: float,
              chosen: tuple[int, ...]) -> None:
        """`extend` with one slot left: no deeper sets, so no residual to build."""
        still = sum(wanted)
        for index in range(start, len(self.vectors)):
            if self._out_of_time():
                return
            if self._hopeless(covered + min(self.widest_after[index], still), count, cost, index):
                return
            gained = sum(map(min, wanted, self.vectors[index]))
            score = Score(covered + gained, count + 1, cost + self.costs[index])
            if gained and beats(score, self.incumbent):
                self.incumbent, self.best = score, (*chosen, index)

    def _hopeless(self, reach: int, count: int, cost: float, index: int) -> bool:
        """Whether no set adding the candidate at `index` (and later ones) to `count` nodes
        covering at most `reach` units for `cost` so far can beat the incumbent."""
        best = self.incumbent
        if reach != best.covered:
            return reach < best.covered
        return count + 1 > best.nodes or (
            count + 1 == best.nodes and cost + self.costs[index] >= best.cost)

    def _out_of_time(self) -> bool:
        self.visits += 1
        if self.visits % CLOCK_EVERY == 0 and perf_counter() > self.deadline:
            self.timed_out = True
        return self.timed_out


def _suffix_widest(vectors: Sequence[Vector]) -> list[int]:
    """Per position: the most units any candidate from there on holds in all."""
    widest = [0] * (len(vectors) + 1)
    for index in range(len(vectors) - 1, -1, -1):
        widest[index] = max(sum(vectors[index]), widest[index + 1])
    return widest


def _suffix_sums_of_largest(values: Sequence[int], size: int) -> list[int]:
    """Per position: the sum of the `size` largest values from there on."""
    sums = [0] * (len(values) + 1)
    largest: list[int] = []
    for index in range(len(values) - 1, -1, -1):
        value = values[index]
        if value and (len(largest) < size or value > largest[-1]):
            largest.append(value)
            largest.sort(reverse=True)
            del largest[size:]
        sums[index] = sum(largest)
    return sums
