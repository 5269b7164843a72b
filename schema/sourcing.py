"""Routing rules and explainable sourcing decisions."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import make_dataclass
from datetime import datetime
from typing import Any

import strawberry

from oms import models, scopes
from oms.auth import Principal
from oms.enums import AllocationSearch, DeliveryMethod, NodeType, SplitPolicy
from oms.routing import versions
from oms.routing.rules import RuleSpec, shown_channels
from oms.sourcing import Allocation, Decision, Rule, criteria
from oms.sourcing.model import DEFAULT_MAX_SPLITS
from schema import loaders
from schema.catalog import FulfillmentNode
from schema.common import UserError
from schema.context import Info
from schema.reservations import ReservationLine


def _weights_types() -> tuple[type, type]:
    """RoutingWeights and RoutingWeightsInput, one field per registered sourcing criterion
    (`oms.sourcing.criteria`): a new criterion appears in the API without another edit."""
    weights = criteria.default_weights()
    output = strawberry.type(make_dataclass("RoutingWeights", [(n, float) for n in weights]))
    given = make_dataclass("RoutingWeightsInput", [
        (name, float | None, dataclasses.field(default=default))
        for name, default in weights.items()])
    return output, strawberry.input(given)


RoutingWeights, RoutingWeightsInput = _weights_types()


def weights_of(mapping: dict[str, float]) -> Any:
    """A RoutingWeights answer from stored weights (an unweighted criterion counts 0)."""
    return RoutingWeights(**{name: mapping.get(name, 0.0) for name in criteria.default_weights()})


def weights_mapping(given: Any) -> dict[str, float]:
    """The weights a RoutingWeightsInput gives (null counts 0)."""
    return {name: getattr(given, name) or 0.0 for name in criteria.default_weights()}


@strawberry.type(description=(
    "A sourcing rule, editable at run time. The active rule with the lowest rank\n"
    "whose filters match an order decides how it is sourced."))
class RoutingRule:
    id: strawberry.ID
    name: str
    rank: int
    active: bool
    channels: list[str] = strawberry.field(description=(
        "Empty = every channel. A channel-limited token sees only its own channels here."))
    delivery_methods: list[DeliveryMethod] = strawberry.field(
        description="Empty = every delivery method.")
    effective_from: datetime | None
    effective_to: datetime | None
    split_policy: SplitPolicy
    max_splits: int = strawberry.field(
        description="Most nodes one order may be split across (ALLOW_SPLIT only).")
    prefer_node_types: list[NodeType] = strawberry.field(description=(
        "Node types in order of preference (e.g. [STORE, WAREHOUSE] = store first); "
        "empty = no preference."))
    weights: RoutingWeights = strawberry.field(description=(  # type: ignore[valid-type]  # made from the registry
        "Weights of the sourcing score: distance, shipping cost, node priority, backlog, "
        "processing time."))
    respect_capacity: bool = strawberry.field(
        description="Skip nodes at or over their daily capacity.")
    allow_backorder: bool = strawberry.field(description=(
        "Units no node can take wait as backorders; when false, placeOrder refuses the order "
        "with INSUFFICIENT_STOCK instead."))
    version: int = strawberry.field(description=(
        "The number of its current version (of the version a decision used, on a decision's "
        "rule; 0 for the built-in default)."))

    @strawberry.field(description=(
        "Oldest first. A channel-limited token sees the versions that concerned its channels."))
    async def history(self, info: Info) -> list[RoutingRuleVersion]:
        viewer = await info.context.require(*scopes.READ_RULES)
        saved = await info.context.loaders(loaders.rule_versions_by_rule).load(str(self.id))
        return [RoutingRuleVersion.of(row, viewer) for row in saved
                if versions.visible(viewer, row)]

    @classmethod
    def of(cls, row: models.RoutingRule, viewer: Principal | None = None) -> RoutingRule:
        """The rule as `viewer` may see it (None: as it is stored, for the one who wrote it)."""
        return cls(
            id=strawberry.ID(str(row.id)), name=row.name, rank=row.rank, active=row.active,
            channels=shown_channels(viewer, row.channels),
            delivery_methods=[DeliveryMethod(m) for m in row.delivery_methods],
            effective_from=row.effective_from, effective_to=row.effective_to,
            split_policy=SplitPolicy(row.split_policy), max_splits=row.max_splits,
            prefer_node_types=[NodeType(t) for t in row.prefer_node_types],
            weights=weights_of(row.weights), respect_capacity=row.respect_capacity,
            allow_backorder=row.allow_backorder, version=row.version,
        )

    @classmethod
    def from_engine(cls, rule: Rule, viewer: Principal) -> RoutingRule:
        """The rule as it was when a decision was made (the built-in default has id 'default'),
        as `viewer` may see it."""
        return cls(
            id=strawberry.ID(rule.id or "default"), name=rule.name, rank=rule.rank,
            active=rule.active, channels=shown_channels(viewer, rule.channels),
            delivery_methods=list(rule.delivery_methods), effective_from=rule.effective_from,
            effective_to=rule.effective_to, split_policy=rule.split_policy,
            max_splits=rule.max_splits, prefer_node_types=list(rule.prefer_node_types),
            weights=weights_of(rule.weights.to_mapping()),
            respect_capacity=rule.respect_capacity, allow_backorder=rule.allow_backorder,
            version=rule.version or 0,
        )


@strawberry.type(description="One saved state of a routing rule; every change makes a new version.")
class RoutingRuleVersion:
    version: int
    rule: RoutingRule
    changed_at: datetime
    changed_by: str | None = strawberry.field(
        description="Name of the API token that made the change.")
    deleted: bool = strawberry.field(description=(
        "This version records the rule's deletion (`rule`: the rule as it stood then)."))

    @classmethod
    def of(cls, row: models.RoutingRuleVersion, viewer: Principal) -> RoutingRuleVersion:
        rule = dataclasses.replace(Rule.from_record(row.rule), id=str(row.rule_id),
                                   version=row.version)
        return cls(version=row.version, rule=RoutingRule.from_engine(rule, viewer),
                   changed_at=row.changed_at, changed_by=row.changed_by, deleted=row.deleted)


@strawberry.input
class RoutingRuleInput:
    id: strawberry.ID | None = strawberry.field(default=None,
                                                description="Omit to create; give to update.")
    name: str
    rank: int
    active: bool | None = True
    channels: list[str] | None = strawberry.field(default_factory=list, description=(
        "Empty = every channel. A channel-limited token names some of its own channels\n"
        "(UNKNOWN_CHANNEL for others, INVALID_INPUT for none) and changes only rules within them."))
    delivery_methods: list[DeliveryMethod] | None = strawberry.field(default_factory=list)
    effective_from: datetime | None = None
    effective_to: datetime | None = None
    split_policy: SplitPolicy | None = SplitPolicy.ALLOW_SPLIT
    max_splits: int | None = DEFAULT_MAX_SPLITS
    prefer_node_types: list[NodeType] | None = strawberry.field(default_factory=list)
    weights: RoutingWeightsInput | None = None  # type: ignore[valid-type]  # from the registry
    respect_capacity: bool | None = True
    allow_backorder: bool | None = True

    def to_spec(self) -> RuleSpec:
        weights = weights_mapping(self.weights or RoutingWeightsInput())
        return RuleSpec(
            id=str(self.id) if self.id else None, name=self.name, rank=self.rank,
            active=self.active is not False, channels=list(self.channels or []),
            delivery_methods=list(self.delivery_methods or []),
            effective_from=self.effective_from, effective_to=self.effective_to,
            split_policy=self.split_policy or SplitPolicy.ALLOW_SPLIT,
            max_splits=DEFAULT_MAX_SPLITS if self.max_splits is None else self.max_splits,
            prefer_node_types=list(self.prefer_node_types or []), weights=weights,
            respect_capacity=self.respect_capacity is not False,
            allow_backorder=self.allow_backorder is not False,
        )


@strawberry.type
class RoutingRulePayload:
    rule: RoutingRule | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def node_of(info: Info, code: str) -> FulfillmentNode:
    return FulfillmentNode.of(await info.context.loaders(loaders.nodes_by_code).load(code))


@strawberry.type
class SourcingAllocation:
    sku: str
    quantity: int
    node_code_: strawberry.Private[str]

    @strawberry.field
    async def node(self, info: Info) -> FulfillmentNode:
        return await node_of(info, self.node_code_)

    @classmethod
    def all_of(cls, allocations: Iterable[Allocation]) -> list[SourcingAllocation]:
        return [cls(sku=a.sku, quantity=a.quantity, node_code_=a.node_code) for a in allocations]


@strawberry.type
class SourcingCandidate:
    score: float
    selected: bool
    reasons: list[str] = strawberry.field(
        description="Plain words, e.g. 'excluded by channel', 'over daily capacity', '412 km'.")
    excluded: bool = strawberry.field(description="Screened out before ranking.")
    node_code_: strawberry.Private[str]

    @strawberry.field
    async def node(self, info: Info) -> FulfillmentNode:
        return await node_of(info, self.node_code_)


@strawberry.type(description="Why an order was (or would be) sourced the way it was.")
class SourcingDecision:
    rule: RoutingRule | None
    allocations: list[SourcingAllocation]
    backordered: list[ReservationLine] = strawberry.field(description="Units no node could take.")
    candidates: list[SourcingCandidate]
    allocation_search: AllocationSearch | None = strawberry.field(description=(
        "How the allocation was found: EXACT (an optimum) or HEURISTIC; null for decisions "
        "recorded before this was kept. Units a node could not hold at placement are "
        "backordered after the search."))
    rule_key_: strawberry.Private[tuple[str, int] | None]
    viewer_: strawberry.Private[Principal]

    @strawberry.field(description=(
        "The version of `rule` the decision used: the rule as it stood then, however it was "
        "edited or deleted since (null for the built-in default, and for decisions recorded "
        "before rules had versions)."))
    async def rule_version(self, info: Info) -> RoutingRuleVersion | None:
        if self.rule_key_ is None:
            return None
        row = await info.context.loaders(loaders.rule_versions_by_key).load(self.rule_key_)
        return RoutingRuleVersion.of(row, self.viewer_) if row else None

    @classmethod
    def of(cls, decision: Decision, viewer: Principal) -> SourcingDecision:
        used = decision.rule
        return cls(
            rule=RoutingRule.from_engine(used, viewer),
            rule_key_=(used.id, used.version) if used.id and used.version else None,
            viewer_=viewer,
            allocations=SourcingAllocation.all_of(decision.allocations),
            backordered=[ReservationLine(sku=s, quantity=q) for s, q in decision.backordered],
            allocation_search=decision.search,
            candidates=[SourcingCandidate(score=round(c.score, 6), selected=c.selected,
                                          reasons=list(c.reasons), excluded=c.excluded,
                                          node_code_=c.node_code)
                        for c in decision.candidates],
        )

    @classmethod
    def of_record(cls, record: models.SourcingDecisionRecord, viewer: Principal) -> SourcingDecision:
        return cls.of(Decision.from_record(record.decision), viewer)
