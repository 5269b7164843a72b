"""Screening nodes and ranking the eligible ones.

Score convention: each weighted criterion is min-max normalised over the eligible
nodes to [0, 1] with 1 for the best (lowest) figure, 0 for the worst, and 0.5 when
the figure is unknown (e.g. no coordinates). The score is the weight-averaged sum,
so it stays in [0, 1], higher is better. Ranking orders by preferred node type
first, then score (descending), then node code.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from oms.enums import NodeType
from oms.sourcing.criteria import CRITERIA, CandidatePool, Criterion, SourcingContext
from oms.sourcing.exclusions import EXCLUSIONS
from oms.sourcing.model import NodeSnapshot

NEUTRAL = 0.5
"The normalised value of an unknown figure (e.g. a node without coordinates)."


class Column(NamedTuple):
    """One weighted criterion's raw figures, aligned with the eligible nodes."""

    criterion: Criterion
    weight: float
    figures: list[float | None]


class Ranking(NamedTuple):
    """Eligible nodes best first, with their scores at the same positions.

    Parallel lists rather than an object per node: fewer allocations per decision. The
    reasons are put in words only when asked (`reasons`): only an explanation reads them.
    """

    nodes: list[NodeSnapshot]
    scores: list[float]
    columns: list[Column]
    order: list[int]
    "Where each of `nodes` stood among the eligible nodes, whose positions `columns` keep."

    def reasons(self) -> list[tuple[str, ...]]:
        """Per node, best first, its known figures in plain words."""
        words = _reasons(self.columns, len(self.order))
        return [words[index] for index in self.order]


class Excluded(NamedTuple):
    node: NodeSnapshot
    reasons: tuple[str, ...]


def screen(
    nodes: Sequence[NodeSnapshot], ctx: SourcingContext
) -> tuple[list[NodeSnapshot], list[Excluded]]:
    """Split nodes into those that may take part and those excluded, with every reason."""
    reasons: dict[int, tuple[str, ...]] = {}
    for check in EXCLUSIONS:
        if check.applies(ctx):
            for index, why in check.excluded(nodes, ctx):
                reasons[index] = reasons.get(index, ()) + (why,)
    if not reasons:
        return list(nodes), []
    eligible = [node for index, node in enumerate(nodes) if index not in reasons]
    return eligible, [Excluded(nodes[index], reasons[index]) for index in sorted(reasons)]


def rank(eligible: Sequence[NodeSnapshot], ctx: SourcingContext) -> Ranking:
    """Score the eligible nodes and order them best first (see the module docstring).

    Only weighted criteria are computed, and their figures are the reasons given.
    """
    pool = CandidatePool(eligible, ctx)
    weights = ctx.rule.weights
    columns = [
        Column(criterion, weight, criterion.figures(pool))
        for criterion in CRITERIA
        if (weight := weights.get(criterion.name)) > 0
    ]
    scores = weighted_scores(columns, len(eligible))
    order = _order(eligible, scores, ctx.rule.prefer_node_types)
    return Ranking([eligible[index] for index in order], [scores[index] for index in order],
                   columns, order)


def weighted_scores(columns: Sequence[Column], size: int) -> list[float]:
    """Weight-averaged normalised figures per node; all zero when nothing is weighted."""
    total_weight = sum(column.weight for column in columns)
    scores = [0.0] * size
    for column in columns:
        scores = add_normalized(scores, column.figures, column.weight / total_weight)
    return scores


def add_normalized(scores: list[float], figures: list[float | None], share: float) -> list[float]:
    """`scores` plus `share` times each figure min-max normalised to [0, 1], 1 the lowest.

    Unknown figures count as neutral (0.5); when all known figures are equal they count 1.
    """
    known = [value for value in figures if value is not None]
    if not known:
        return [score + share * NEUTRAL for score in scores]
    low, high = min(known), max(known)
    span = high - low
    if span == 0:
        return [
            score + share * (NEUTRAL if value is None else 1.0)
            for score, value in zip(scores, figures, strict=True)
        ]
    factor = share / span
    neutral = share * NEUTRAL
    return [
        score + (neutral if value is None else (high - value) * factor)
        for score, value in zip(scores, figures, strict=True)
    ]


def _reasons(columns: Sequence[Column], size: int) -> list[tuple[str, ...]]:
    """Per node, its known figures in plain words."""
    if not columns:
        return [()] * size
    words = [_words(column.criterion.reason, column.figures) for column in columns]
    if any(None in column for column in words):
        return [tuple(filter(None, row)) for row in zip(*words, strict=True)]
    return list(zip(*words, strict=True))


def _words(reason: Callable[[float], str], figures: list[float | None]) -> list[str | None]:
    """One criterion's reasons; a figure many nodes share (a priority, a processing time)
    is put in words once."""
    distinct = set(figures)
    if len(distinct) * 4 <= len(figures):
        said = {value: None if value is None else reason(value) for value in distinct}
        return list(map(said.__getitem__, figures))
    if None in distinct:
        return [None if value is None else reason(value) for value in figures]
    return list(map(reason, figures))  # type: ignore[arg-type]  # no None, checked above


def _order(
    eligible: Sequence[NodeSnapshot], scores: list[float], preferred: Sequence[NodeType]
) -> list[int]:
    """Indices of `eligible`, best first: preferred type, then score, then node code."""
    # Stable sorts from the last key to the first, each keyed by a C-level lookup.
    order = sorted(range(len(eligible)), key=[node.code for node in eligible].__getitem__)
    order.sort(key=[-score for score in scores].__getitem__)
    if preferred:
        type_rank = {node_type: position for position, node_type in enumerate(preferred)}
        fallback = len(type_rank)
        order.sort(key=[type_rank.get(node.type, fallback) for node in eligible].__getitem__)
    return order
