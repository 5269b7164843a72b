"""Batch functions behind the per-request DataLoaders (read-only), named <things>_by_<key>."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from oms.fulfillment import backlog
from oms.models import Channel, Company, InventoryPosition, Node, RoutingRuleVersion
from oms.routing import versions
from oms.text import fitting


async def nodes_by_id(ids: Sequence[int]) -> list[Node | None]:
    found = {n.id: n for n in await Node.filter(id__in=set(ids))}
    return [found.get(i) for i in ids]


async def nodes_by_code(codes: Sequence[str]) -> list[Node | None]:
    found = {n.code: n for n in await Node.filter(code__in=set(codes))}
    return [found.get(c) for c in codes]


async def channels_by_id(ids: Sequence[int]) -> list[Channel | None]:
    found = {c.id: c for c in await Channel.filter(id__in=set(ids))}
    return [found.get(i) for i in ids]


async def companies_by_id(ids: Sequence[int]) -> list[Company | None]:
    found = {c.id: c for c in await Company.filter(id__in=set(ids))}
    return [found.get(i) for i in ids]


async def backlog_by_node(node_ids: Sequence[int]) -> list[int]:
    counts = await backlog.backlog_by_node(node_ids)
    return [counts.get(i, 0) for i in node_ids]


async def positions_by_node(keys: Sequence[tuple[int, tuple[str, ...] | None]]) -> list[list]:
    """Key: (node id, SKUs or None for all)."""
    node_ids = {k[0] for k in keys}
    wanted_skus = None if any(k[1] is None for k in keys) else {s for k in keys for s in k[1] or ()}
    query = InventoryPosition.filter(node_id__in=node_ids)
    if wanted_skus is not None:  # a SKU longer than any matches none (and the ORM refuses it)
        query = query.filter(sku__in=fitting(wanted_skus, InventoryPosition, "sku"))
    by_node: dict[int, list[InventoryPosition]] = defaultdict(list)
    for pos in await query.order_by("sku"):
        by_node[pos.node_id].append(pos)
    return [
        [p for p in by_node[node_id] if skus is None or p.sku in skus] for node_id, skus in keys
    ]


async def rule_versions_by_rule(rule_ids: Sequence[str]) -> list[list[RoutingRuleVersion]]:
    found = await versions.versions_of(rule_ids)
    return [found.get(i, []) for i in rule_ids]


async def rule_versions_by_key(keys: Sequence[tuple[str, int]]) -> list[RoutingRuleVersion | None]:
    """Key: (rule id, version)."""
    found = await versions.versions_by_key(keys)
    return [found.get(k) for k in keys]
