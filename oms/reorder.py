"""Reorder policies per (SKU, node), and the positions at or below their reorder point.

A policy lives on its stock position (`reorder_point`, `target_level`, `lead_time_days`),
so the stock writers read the point with the row they lock or update and tell
`oms.stock_alerts` of a crossing without a look-up. Available here is the position's
node-level available, as everywhere: max(0, onHand - reserved - safetyStock).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oms import catalog, inventory
from oms.auth import Principal
from oms.clock import now
from oms.errors import DomainError, ErrorCode, Problems
from oms.inventory_bulk import Policy
from oms.metrics.sql import Statement
from oms.models import InventoryPosition, Node, Sku
from oms.text import check_length, fits, fitting
from oms.uow import UnitOfWork

MAX_POLICIES = 10_000
"Policies one call may set."
MAX_LEAD_TIME_DAYS = 365.0
MAX_FIRST = 1_000
AVAILABLE = ('CASE WHEN CAST(p."on_hand" AS BIGINT) - p."reserved" - p."safety_stock" > 0 '
             'THEN CAST(p."on_hand" AS BIGINT) - p."reserved" - p."safety_stock" ELSE 0 END')
"A position's node-level available in SQL (64-bit: the columns are 32-bit)."


@dataclass(frozen=True)
class PolicySpec:
    sku: str
    node_code: str
    reorder_point: int
    target_level: int
    lead_time_days: float = 7.0


@dataclass(frozen=True)
class LowStock:
    sku: str
    node_id: int
    available: int
    reorder_point: int
    at: datetime


async def set_policies(uow: UnitOfWork, principal: Principal | None,
                       specs: Sequence[PolicySpec]) -> list[Policy]:
    """Set the reorder policy of each (SKU, node): all or none. Setting one reports nothing
    by itself: an alert is about stock falling, and `lowStock` lists what is low already."""
    nodes = dict(await Node.filter(code__in=fitting((s.node_code for s in specs), Node, "code"))
                 .values_list("code", "id"))
    skus = set(await Sku.filter(code__in=fitting((s.sku for s in specs), Sku, "code"))
               .values_list("code", flat=True))
    policy_problems(specs, nodes, skus, principal).raise_if_any()
    policies = [Policy(s.sku, int(nodes[s.node_code]), s.reorder_point, s.target_level,
                       float(s.lead_time_days)) for s in specs]
    await inventory.set_reorder_policies(policies)
    return policies


def policy_problems(specs: Sequence[PolicySpec], nodes: dict[str, Any], skus: set[Any],
                    principal: Principal | None) -> Problems:
    """Everything wrong with `specs`, every problem at once (pure: no database)."""
    problems = Problems()
    if len(specs) > MAX_POLICIES:
        problems.add(ErrorCode.INVALID_INPUT, f"at most {MAX_POLICIES} policies at once", "policies")
    seen: set[tuple[str, str]] = set()
    for i, spec in enumerate(specs):
        _check_one(problems, spec, nodes, skus, principal, ("policies", i))
        if (spec.sku, spec.node_code) in seen:
            problems.add(ErrorCode.DUPLICATE_RECORD,
                         f"{spec.sku} at {spec.node_code} appears twice", "policies", i)
        seen.add((spec.sku, spec.node_code))
    return problems


def _check_one(problems: Problems, spec: PolicySpec, nodes: dict[str, Any], skus: set[Any],
               principal: Principal | None, at: tuple[str | int, ...]) -> None:
    if spec.sku not in skus:
        problems.add(ErrorCode.UNKNOWN_SKU, f"unknown SKU {spec.sku!r}", *at, "sku")
    check_length(problems, spec.sku, Sku, "code", *at, "sku")
    if spec.node_code not in nodes:
        problems.add(ErrorCode.UNKNOWN_NODE, f"unknown node {spec.node_code!r}", *at, "nodeCode")
    elif principal is not None and not principal.sees_node(spec.node_code):
        problems.add(ErrorCode.NODE_NOT_ALLOWED, f"this token may not act at node {spec.node_code}",
                     *at, "nodeCode")
    for name, value in (("reorderPoint", spec.reorder_point), ("targetLevel", spec.target_level)):
        if value < 0:
            problems.add(ErrorCode.NEGATIVE_QUANTITY, f"{name} must be >= 0", *at, name)
    if spec.target_level < spec.reorder_point:
        problems.add(ErrorCode.INVALID_QUANTITY, "targetLevel must be at least reorderPoint",
                     *at, "targetLevel")
    lead = spec.lead_time_days
    if not (math.isfinite(lead) and 0 <= lead <= MAX_LEAD_TIME_DAYS):
        problems.add(ErrorCode.INVALID_INPUT, f"leadTimeDays must be 0..{MAX_LEAD_TIME_DAYS:g}",
                     *at, "leadTimeDays")


async def visible_nodes(principal: Principal, node_code: str | None) -> list[int] | None:
    """The node ids a read of `principal` covers (None: every node), narrowed to
    `node_code` when given; a node it may not see (or none such) is simply not shown."""
    seen = await catalog.nodes_visible_to(principal)
    if node_code is None:
        return None if seen is None else sorted(seen)
    found = await Node.get_or_none(code=node_code) if fits(node_code, Node, "code") else None
    if found is None or (seen is not None and found.id not in seen):
        return []
    return [found.id]


async def policies(principal: Principal, node_code: str | None = None,
                   sku: str | None = None) -> list[Policy]:
    """The policies the caller may see, by SKU then node."""
    node_ids = await visible_nodes(principal, node_code)
    query = InventoryPosition.filter(reorder_point__isnull=False)
    if node_ids is not None:
        query = query.filter(node_id__in=node_ids)
    if sku is not None:
        if not fits(sku, InventoryPosition, "sku"):
            return []
        query = query.filter(sku=sku)
    rows = await query.order_by("sku", "node_id").values_list(
        "sku", "node_id", "reorder_point", "target_level", "lead_time_days")
    return [Policy(*row) for row in rows]


def check_first(first: int) -> None:
    if not 0 <= first <= MAX_FIRST:
        raise DomainError.of(ErrorCode.BAD_USER_INPUT, f"first must be 0..{MAX_FIRST}", "first")


async def low_stock(principal: Principal, node_code: str | None = None,
                    first: int = 100) -> list[LowStock]:
    """Positions whose available is at or below their reorder point now, by SKU then node."""
    check_first(first)
    node_ids = await visible_nodes(principal, node_code)
    q = Statement()
    rows = await q.rows(
        f'SELECT p."sku" AS sku, p."node_id" AS node_id, {AVAILABLE} AS available, '
        'p."reorder_point" AS point FROM "inventory_position" p '
        f'WHERE p."reorder_point" IS NOT NULL AND {AVAILABLE} <= p."reorder_point"'
        f'{among("p", node_ids)} ORDER BY p."sku", p."node_id" LIMIT {int(first)}')
    at = now()
    return [LowStock(r["sku"], int(r["node_id"]), int(r["available"]), int(r["point"]), at)
            for r in rows]


def among(alias: str, node_ids: list[int] | None) -> str:
    """` AND alias.node_id IN (...)` (our ids, inline), nothing for None, false for none."""
    if node_ids is None:
        return ""
    if not node_ids:
        return " AND 1 = 0"
    return f' AND {alias}."node_id" IN ({", ".join(str(int(i)) for i in node_ids)})'
