"""Stock alerts: a position's available stock falling to or below its reorder point.

`oms.inventory`, the only writer of stock, reports the node-level available before and
after each change of a position that has a reorder point (it comes back with the row the
write locked or updated: no look-up, and positions without a policy cost nothing). At
commit, each position whose available went from above its point to at or below it in
this unit of work records one `stock.low` event, in the same transaction. Further falls
record nothing; rising above the point re-arms it. The before and after figures come
from the locked or conditionally updated row itself, so of two concurrent writers only
the one whose change crossed the point sees the crossing: one event per crossing.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from oms import catalog
from oms.auth import Principal
from oms.clock import now
from oms.errors import ErrorCode, Problems
from oms.events.topics import STOCK_LOW, stock_low
from oms.models import Node
from oms.uow import UnitOfWork

Key = tuple[str, int]  # (sku, node id)


@dataclass
class Pending:
    """The unit of work's moves per position: [available at its start, available now, point]."""

    uow: UnitOfWork
    moves: dict[Key, list[int]] = field(default_factory=dict)


def crossed(before: int, after: int, reorder_point: int) -> bool:
    """Whether available stock going from `before` to `after` falls to or below the point."""
    return before > reorder_point >= after


def track(uow: UnitOfWork, sku: str, node_id: int, before: int, after: int,
          reorder_point: int) -> None:
    """Record that the available of (sku, node), whose reorder point is `reorder_point`,
    went from `before` to `after` (the first `before` and the last `after` count)."""
    moves = uow.state("stock_alerts", lambda: Pending(uow), _record).moves
    seen = moves.get((sku, node_id))
    if seen is None:
        moves[(sku, node_id)] = [before, after, reorder_point]
    else:
        seen[1] = after


async def _record(pending: Pending) -> None:
    """At commit: one `stock.low` event per position that crossed its point downwards."""
    low = {key: move for key, move in pending.moves.items() if crossed(*move)}
    if not low:
        return
    codes = dict(await Node.filter(id__in=sorted({node_id for _, node_id in low}))
                 .values_list("id", "code"))
    at = now().isoformat()
    for (sku, node_id), (_, after, point) in sorted(low.items()):
        pending.uow.record(STOCK_LOW, stock_low(sku, str(codes[node_id]), after, point, at))


async def followed_nodes(principal: Principal, node_codes: list[str] | None) -> frozenset[str] | None:
    """The node codes an alert subscription follows: those asked (UNKNOWN_NODE for none such,
    NODE_NOT_ALLOWED outside the token's limits), else every node the token sees (None: all)."""
    seen_ids = await catalog.nodes_visible_to(principal)
    nodes = await catalog.nodes_by_id()
    seen = None if seen_ids is None else frozenset(nodes[i].code for i in seen_ids)
    if not node_codes:
        return seen
    known = {n.code for n in nodes.values()}
    problems = Problems()
    for i, code in enumerate(node_codes):
        if code not in known:
            problems.add(ErrorCode.UNKNOWN_NODE, f"unknown node {code!r}", "nodeCodes", i)
        elif seen is not None and code not in seen:
            problems.add(ErrorCode.NODE_NOT_ALLOWED, f"this token may not see node {code}",
                         "nodeCodes", i)
    problems.raise_if_any()
    return frozenset(node_codes)


def alert_filter(nodes: frozenset[str] | None) -> Callable[[dict[str, Any]], bool]:
    """Whether a `stock.low` payload is about one of `nodes` (None: any)."""
    return lambda payload: nodes is None or payload.get("node_code") in nodes
