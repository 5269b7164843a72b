"""The sourcing engine: pick a rule, then decide which nodes fulfil which units.

Pure: frozen dataclasses in (see `oms.sourcing.model`), a
`Decision` out; no ORM, no I/O, no `await`. Steps: screen every node with the
exclusion checks, rank the eligible ones by preferred type and weighted score
(`oms.sourcing.ranking`), then allocate the fewest nodes first
(`oms.sourcing.allocation`, exactly when the search is small: `oms.sourcing.search`).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from itertools import repeat

from oms.enums import DeliveryMethod
from oms.sourcing.allocation import plan
from oms.sourcing.criteria import SourcingContext
from oms.sourcing.model import (
    DEFAULT_RULE,
    Allocation,
    CandidateResult,
    Candidates,
    Decision,
    NodeSnapshot,
    Rule,
    SourcingRequest,
)
from oms.sourcing.ranking import Excluded, Ranking, rank, screen
from oms.sourcing.search import node_costs

__all__ = ["decide", "select_rule"]

def select_rule(
    rules: Sequence[Rule], channel_code: str, delivery_method: DeliveryMethod, now: datetime
) -> Rule:
    """The active matching rule with the lowest rank (then name), else DEFAULT_RULE.

    A rule matches when its channels and delivery methods are empty or contain the
    given ones and `effective_from <= now < effective_to` (None bounds are open).
    """
    matching = [rule for rule in rules if rule.applies_to(channel_code, delivery_method, now)]
    if not matching:
        return DEFAULT_RULE
    return min(matching, key=lambda rule: (rule.rank, rule.name, rule.id or ""))


def decide(
    request: SourcingRequest, rule: Rule, nodes: Sequence[NodeSnapshot], *, explain: bool = True
) -> Decision:
    """Source the request's lines over `nodes` under `rule`.

    Every node appears among the candidates: the eligible ones best first with
    their score and figures, then the excluded ones (by code) with the reasons. They are
    put together when first read (`Candidates`): a thousand nodes in words cost about two
    thirds as much again as the decision, and only an explanation or the stored record
    reads them.
    `explain=False` (a replay of thousands of orders) leaves the candidates out: the same
    allocation, backorders and search, nothing to explain them with.
    """
    ctx = SourcingContext(request, rule)
    eligible, excluded = screen(nodes, ctx)
    ranked = rank(eligible, ctx)
    outcome = plan(ctx.demand, ranked.nodes,
                   lambda: node_costs(ranked.nodes, ranked.scores, rule.prefer_node_types,
                                      rule.max_splits),
                   rule.split_policy, rule.max_splits)
    allocations = tuple(Allocation(code, sku, qty) for code, sku, qty in outcome.picks)
    selected = {allocation.node_code for allocation in allocations}
    return Decision(
        rule=rule,
        allocations=allocations,
        backordered=tuple(outcome.backordered),
        candidates=Candidates(partial(_candidates, ranked, excluded, selected)) if explain else (),
        search=outcome.search,
    )


def _candidates(
    ranked: Ranking, excluded: list[Excluded], selected: set[str]
) -> tuple[CandidateResult, ...]:
    codes = [node.code for node in ranked.nodes]
    chosen = [code in selected for code in codes]
    scored = map(_candidate, zip(codes, ranked.scores, chosen, ranked.reasons(), repeat(False)))
    excluded.sort(key=lambda e: e.node.code)
    skipped = [_candidate((e.node.code, 0.0, False, e.reasons, True)) for e in excluded]
    return (*scored, *skipped)


_candidate = partial(tuple.__new__, CandidateResult)
"CandidateResult from its fields as one tuple: no Python-level call per candidate (a thousand)."
