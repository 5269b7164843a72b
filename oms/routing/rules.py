"""Routing rules as the business edits them: validated upserts, deletes, and the engine's view.

Every change saves the rule as it then stands as its next `RoutingRuleVersion`, in the
same transaction (`oms.routing.versions` reads and restores them).

A rule for no channels applies to every channel. A channel-limited token reads the rules that
apply to one of its channels (its channels' and those for every channel), and changes only
rules within its channels: one for every channel, or naming another, needs an unlimited token.
"""
from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oms.auth import Principal
from oms.clock import now
from oms.enums import DeliveryMethod, NodeType, SplitPolicy
from oms.errors import DomainError, ErrorCode, Problems
from oms.models import RoutingRule, RoutingRuleVersion
from oms.sourcing.model import DEFAULT_MAX_SPLITS, Rule, Weights
from oms.text import check_length
from oms.token_limits import check_channels_within
from oms.uow import UnitOfWork

RULE_CHANGED = "routing_rule.changed"


@dataclass(frozen=True)
class RuleSpec:
    name: str
    rank: int
    id: str | None = None
    active: bool = True
    channels: list[str] = field(default_factory=list)
    delivery_methods: list[DeliveryMethod] = field(default_factory=list)
    effective_from: datetime | None = None
    effective_to: datetime | None = None
    split_policy: SplitPolicy = SplitPolicy.ALLOW_SPLIT
    max_splits: int = DEFAULT_MAX_SPLITS
    prefer_node_types: list[NodeType] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=lambda: Weights().to_mapping())
    respect_capacity: bool = True
    allow_backorder: bool = True


def sees_rule(principal: Principal | None, channels: Sequence[str]) -> bool:
    """Whether a rule for `channels` applies to a channel the caller sees (None: the operator)."""
    return (principal is None or not principal.channels or not channels
            or any(principal.sees_channel(c) for c in channels))


def reaches_rule(principal: Principal | None, channels: Sequence[str]) -> bool:
    """Whether the caller may change a rule for `channels`: every one within its limits."""
    return principal is None or not principal.channels or (
        bool(channels) and all(principal.sees_channel(c) for c in channels))


def shown_channels(principal: Principal | None, channels: Sequence[str]) -> list[str]:
    """A rule's channels as the caller may see them: the others are unknown to it."""
    return [c for c in channels if principal is None or principal.sees_channel(c)]


async def check_spec(principal: Principal | None, spec: RuleSpec) -> None:
    """Refuse (DomainError, every problem) a rule upsertRoutingRule would not save."""
    problems = Problems()
    if not spec.name.strip():
        problems.add(ErrorCode.INVALID_RULE, "name must not be empty", "name")
    check_length(problems, spec.name.strip(), RoutingRule, "name", "name")
    for name, value in spec.weights.items():
        if name not in Weights.names():
            problems.add(ErrorCode.INVALID_RULE, f"unknown weight {name!r}", "weights", name)
        elif value < 0:
            problems.add(ErrorCode.INVALID_RULE, f"weight {name} must be >= 0, got {value}",
                         "weights", name)
    if spec.max_splits < 1:
        problems.add(ErrorCode.INVALID_RULE, "maxSplits must be at least 1", "maxSplits")
    if (spec.effective_from and spec.effective_to
            and spec.effective_from >= spec.effective_to):
        problems.add(ErrorCode.INVALID_RULE, "effectiveFrom must be before effectiveTo",
                     "effectiveTo")
    await check_channels_within(problems, principal, spec.channels, "a rule", "channels")
    problems.raise_if_any()


async def upsert_rule(uow: UnitOfWork, principal: Principal | None, spec: RuleSpec) -> RoutingRule:
    """Create a rule (no id) or replace the one with `spec.id`, within the caller's channels
    (None: the operator), as a new version. Takes effect for the next order."""
    await check_spec(principal, spec)
    if spec.id is None:
        return await _saved(uow, principal, await RoutingRule.create(**_values(spec)))
    return await _replace(uow, principal, await _rule(principal, spec.id), spec)


async def delete_rule(uow: UnitOfWork, principal: Principal | None, rule_id: str) -> RoutingRule:
    """Delete a rule within the caller's channels, recording the deletion as its last version
    (the rule as it stood); orders it sourced keep their decisions."""
    rule = await _rule(principal, rule_id)
    if not await RoutingRule.filter(id=rule.id, version=rule.version).delete():
        raise _changed_meanwhile(rule)
    rule.version += 1
    await record_version(uow, principal, rule, deleted=True)
    uow.record(RULE_CHANGED, {"id": str(rule.id), "version": rule.version, "deleted": True})
    return rule


async def put_back(uow: UnitOfWork, principal: Principal | None, spec: RuleSpec,
                   latest: int) -> RoutingRule:
    """Make `spec` rule `spec.id`'s current state as version `latest + 1`, validated like an
    upsert; a deleted rule is created again under its id."""
    await check_spec(principal, spec)
    if await RoutingRule.exists(id=spec.id):
        return await _replace(uow, principal, await _rule(principal, str(spec.id)), spec)
    if not reaches_rule(principal, spec.channels):
        raise _out_of_reach(str(spec.id), spec.channels)
    made = await RoutingRule.create(id=spec.id, version=latest + 1, **_values(spec))
    return await _saved(uow, principal, made)


def _values(spec: RuleSpec) -> dict[str, Any]:
    return dict(
        name=spec.name.strip(), rank=spec.rank, active=spec.active,
        channels=sorted(set(spec.channels)),
        delivery_methods=[str(m) for m in dict.fromkeys(spec.delivery_methods)],
        effective_from=spec.effective_from, effective_to=spec.effective_to,
        split_policy=spec.split_policy, max_splits=spec.max_splits,
        prefer_node_types=[str(t) for t in dict.fromkeys(spec.prefer_node_types)],
        weights={**Weights().to_mapping(), **spec.weights},
        respect_capacity=spec.respect_capacity, allow_backorder=spec.allow_backorder,
    )


async def _replace(uow: UnitOfWork, principal: Principal | None, rule: RoutingRule,
                   spec: RuleSpec) -> RoutingRule:
    """Write `spec` over `rule` as its next version, unless someone changed it since it was
    read (a conditional update: no lock, and no version number taken twice)."""
    values = {**_values(spec), "version": rule.version + 1, "updated_at": now()}
    if not await RoutingRule.filter(id=rule.id, version=rule.version).update(**values):
        raise _changed_meanwhile(rule)
    return await _saved(uow, principal, rule.update_from_dict(values))


async def _saved(uow: UnitOfWork, principal: Principal | None, rule: RoutingRule) -> RoutingRule:
    await record_version(uow, principal, rule)
    uow.record(RULE_CHANGED, {"id": str(rule.id), "version": rule.version})
    return rule


async def record_version(uow: UnitOfWork, principal: Principal | None, rule: RoutingRule,
                         deleted: bool = False) -> None:
    """Save `rule` as it now stands as its version `rule.version`, by the caller's token (the
    operator's label when there is none)."""
    await RoutingRuleVersion.create(
        rule_id=rule.id, version=rule.version, rule=engine_rule(rule).to_record(),
        deleted=deleted, changed_at=now(), changed_by=principal.name if principal else uow.actor)


def _changed_meanwhile(rule: RoutingRule) -> DomainError:
    return DomainError.of(ErrorCode.INVALID_INPUT,
                          f"routing rule {rule.id} changed meanwhile: read it again", "id")


def _out_of_reach(rule_id: str, channels: Sequence[str]) -> DomainError:
    reach = ("every channel: only a token without channel limits" if not channels
             else "channels outside this token's limits: only a token that sees them all")
    return DomainError.of(ErrorCode.INVALID_INPUT,
                          f"routing rule {rule_id} applies to {reach} may change it", "id")


async def _rule(principal: Principal | None, rule_id: str) -> RoutingRule:
    """The rule to change: NOT_FOUND if the caller does not see it, INVALID_INPUT if it
    applies beyond the caller's channels."""
    try:
        found = await RoutingRule.get_or_none(id=uuid.UUID(str(rule_id)))
    except ValueError:
        found = None
    if found is None or not sees_rule(principal, found.channels):
        raise DomainError.of(ErrorCode.NOT_FOUND, f"no routing rule {rule_id}", "id")
    if not reaches_rule(principal, found.channels):
        raise _out_of_reach(rule_id, found.channels)
    return found


async def list_rules(principal: Principal | None) -> list[RoutingRule]:
    """The rules the caller sees (None: the operator, every one), in the order they are
    tried (rank, then name)."""
    rows = await RoutingRule.all().order_by("rank", "name")
    return [row for row in rows if sees_rule(principal, row.channels)]


def engine_rule(row: RoutingRule) -> Rule:
    """The engine's frozen view of a stored rule."""
    return Rule(
        id=str(row.id), name=row.name, rank=row.rank, active=row.active,
        channels=tuple(row.channels),
        delivery_methods=tuple(DeliveryMethod(m) for m in row.delivery_methods),
        effective_from=row.effective_from, effective_to=row.effective_to,
        split_policy=SplitPolicy(row.split_policy), max_splits=row.max_splits,
        prefer_node_types=tuple(NodeType(t) for t in row.prefer_node_types),
        weights=Weights.from_mapping(row.weights), respect_capacity=row.respect_capacity,
        allow_backorder=row.allow_backorder, version=row.version,
    )


def tried_rule(spec: RuleSpec) -> Rule:
    """The engine's view of a rule as `spec` would save it, without saving it (a what-if);
    a rule without an id gets a fresh one, and no version."""
    row = RoutingRule(id=uuid.UUID(spec.id) if spec.id else uuid.uuid4(), **_values(spec))
    return dataclasses.replace(engine_rule(row), version=None)


async def engine_rules() -> list[Rule]:
    """Every stored rule as the engine sees it (for `select_rule`)."""
    return [engine_rule(row) for row in await RoutingRule.all()]
