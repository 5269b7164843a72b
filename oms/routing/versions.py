"""The saved versions of routing rules: reading them back, and restoring one.

A caller sees a version when it sees the rule as that version stood (`sees_rule` on the
version's channels), so a rule that once applied elsewhere shows a channel-limited token
only the versions that concerned its channels. Restoring writes the old state as a new
version, validated like an upsert; a deleted rule can be restored (from any of its
versions, the deletion's included: that holds the rule as it stood when deleted) and comes
back under its id, with its history continued.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence

from oms.auth import Principal
from oms.errors import DomainError, ErrorCode, Problem
from oms.models import RoutingRule, RoutingRuleVersion
from oms.routing.rules import RuleSpec, put_back, sees_rule
from oms.sourcing.model import Rule
from oms.uow import UnitOfWork


def visible(principal: Principal | None, saved: RoutingRuleVersion) -> bool:
    """Whether the caller may read this version (None: the operator)."""
    return sees_rule(principal, saved.rule.get("channels", ()))


def _uuid(rule_id: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(rule_id))
    except ValueError:
        return None


async def find_version(principal: Principal | None, rule_id: str,
                       version: int) -> RoutingRuleVersion | None:
    """Version `version` of rule `rule_id`, if the caller may read it."""
    wanted = _uuid(rule_id)
    found = None if wanted is None else await RoutingRuleVersion.get_or_none(
        rule_id=wanted, version=version)
    return found if found is not None and visible(principal, found) else None


async def versions_of(rule_ids: Sequence[str]) -> dict[str, list[RoutingRuleVersion]]:
    """Every version of these rules, oldest first, by rule id (for a loader)."""
    wanted = {u for u in map(_uuid, rule_ids) if u is not None}
    found: dict[str, list[RoutingRuleVersion]] = {}
    if wanted:
        for row in await RoutingRuleVersion.filter(rule_id__in=wanted).order_by("version"):
            found.setdefault(str(row.rule_id), []).append(row)
    return found


async def versions_by_key(keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int],
                                                                    RoutingRuleVersion]:
    """The versions named by (rule id, version) (for a loader)."""
    ids = {u for u in (_uuid(k[0]) for k in keys) if u is not None}
    if not ids:
        return {}
    rows = await RoutingRuleVersion.filter(rule_id__in=ids, version__in={k[1] for k in keys})
    return {(str(row.rule_id), row.version): row for row in rows}


async def restore_rule(uow: UnitOfWork, principal: Principal | None, rule_id: str,
                       version: int) -> RoutingRule:
    """Make version `version` of rule `rule_id` its current state again, as a new version
    (NOT_FOUND for a version the caller cannot read); refusals of the old state's checks
    name the `version` field."""
    saved = await find_version(principal, rule_id, version)
    if saved is None:
        raise DomainError.of(ErrorCode.NOT_FOUND,
                             f"routing rule {rule_id} has no version {version}", "version")
    latest = await RoutingRuleVersion.filter(rule_id=saved.rule_id).order_by("-version").first()
    try:
        return await put_back(uow, principal, spec_of(saved), latest.version if latest else 0)
    except DomainError as exc:
        raise DomainError([_about_version(p, version) for p in exc.problems]) from None


def spec_of(saved: RoutingRuleVersion) -> RuleSpec:
    """The upsert that brings `saved` back."""
    rule = Rule.from_record(saved.rule)
    return RuleSpec(
        id=str(saved.rule_id), name=rule.name, rank=rule.rank, active=rule.active,
        channels=list(rule.channels), delivery_methods=list(rule.delivery_methods),
        effective_from=rule.effective_from, effective_to=rule.effective_to,
        split_policy=rule.split_policy, max_splits=rule.max_splits,
        prefer_node_types=list(rule.prefer_node_types), weights=rule.weights.to_mapping(),
        respect_capacity=rule.respect_capacity, allow_backorder=rule.allow_backorder,
    )


def _about_version(problem: Problem, version: int) -> Problem:
    if problem.field == ("id",):
        return problem
    where = f" ({'.'.join(problem.field)})" if problem.field else ""
    return Problem(problem.code, f"version {version}{where}: {problem.message}", ("version",))
