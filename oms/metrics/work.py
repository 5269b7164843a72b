"""The KPIs about work done on orders: the nodes' loads, and why units come back."""
from __future__ import annotations

from dataclasses import dataclass

from oms import catalog
from oms.enums import FulfillmentStatus, ReturnStatus
from oms.errors import DomainError, ErrorCode
from oms.fulfillment.backlog import backlog_by_node
from oms.metrics.scope import MetricsScope
from oms.metrics.sql import Statement

MAX_REASONS = 100
CREATED, NODE = 'f."created_at"', 'f."node_id"'


@dataclass(frozen=True)
class NodeLoad:
    node_id: int
    fulfillments: int
    "Fulfillments created at the node in the window (for orders of the scope's channels)."
    units: int
    "Units on those of them not rejected: shipped, or still to ship (cancelled units leave)."
    backlog: int
    "The node's open fulfillments now, of every channel (`oms.fulfillment.backlog`)."
    utilization: float | None
    "backlog / daily capacity; None when the capacity is unlimited (or 0: no ratio)."
    rejections: int
    "Those fulfillments that the node rejected."


async def node_loads(scope: MetricsScope) -> list[NodeLoad]:
    """One load per node with a fulfillment created in the window, by node code.

    The window applies to the fulfillments' creation here, not to the orders' placement:
    a backorder released today is today's work. Backlog and utilization are the node's
    now, whatever the channel (its capacity is shared by every channel).
    """
    q = Statement()
    rejected = q.bind(str(FulfillmentStatus.REJECTED))
    units_rejected = q.bind(str(FulfillmentStatus.REJECTED))
    rows = await q.rows(
        'SELECT f."node_id" AS node_id, COUNT(DISTINCT f."id") AS fulfillments, '
        f'COUNT(DISTINCT CASE WHEN f."status" = {rejected} THEN f."id" END) AS rejections, '
        f'COALESCE(SUM(CASE WHEN f."status" <> {units_rejected} THEN fl."quantity" END), 0) AS units '
        'FROM "fulfillment" f JOIN "order" o ON o."id" = f."order_id" '
        'LEFT JOIN "fulfillment_line" fl ON fl."fulfillment_id" = f."id" '
        f'WHERE {q.window(scope, CREATED)}{q.channels(scope)}{q.nodes(scope, NODE)} '
        'GROUP BY f."node_id"')
    ids = [int(row["node_id"]) for row in rows]
    backlog = await backlog_by_node(ids)
    nodes = await catalog.nodes_by_id()
    loads = [NodeLoad(int(row["node_id"]), int(row["fulfillments"]), int(row["units"]),
                      backlog.get(int(row["node_id"]), 0),
                      _utilization(backlog.get(int(row["node_id"]), 0),
                                   nodes[int(row["node_id"])].daily_capacity),
                      int(row["rejections"])) for row in rows]
    return sorted(loads, key=lambda load: nodes[load.node_id].code)


def _utilization(backlog: int, capacity: int | None) -> float | None:
    return backlog / capacity if capacity else None


async def top_return_reasons(scope: MetricsScope, first: int) -> list[tuple[str, int]]:
    """(reason, units asked back with it) over the returns of the scope's orders that were
    not cancelled (received or not), most units first, then by reason; at most `first`."""
    if not 0 <= first <= MAX_REASONS:
        raise DomainError.of(ErrorCode.BAD_USER_INPUT, f"first must be 0..{MAX_REASONS}", "first")
    if first == 0:
        return []
    q = Statement()
    rows = await q.rows(
        'SELECT rl."reason" AS reason, SUM(rl."quantity") AS units FROM "order" o '
        'JOIN "return" r ON r."order_id" = o."id" JOIN "return_line" rl ON rl."return_id" = r."id" '
        f'WHERE {q.orders_in(scope)} AND r."status" <> {q.bind(str(ReturnStatus.CANCELLED))} '
        f'GROUP BY rl."reason" ORDER BY units DESC, rl."reason" LIMIT {int(first)}')
    return [(row["reason"], int(row["units"])) for row in rows]
