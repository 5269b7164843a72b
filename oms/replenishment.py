"""What to reorder: the positions with a reorder policy whose stock, counting what is on
the way, is at or below their reorder point, with the demand behind the suggestion.

Per (SKU, node), over the WINDOW_DAYS days before now (day k holds the fulfillments
created in (now - (k + 1) days, now - k days]):

- demand of a day: units of the fulfillment lines created at the node that day, rejected
  fulfillments aside (the units were sourced again elsewhere, and count there); cancelled
  units leave their fulfillment, so they do not count either.
- dailyDemand = total units / WINDOW_DAYS (days without demand count as zero).
- daysOfCover = (onHand - reserved) / dailyDemand; None without demand.
- suggestedQuantity = max(0, targetLevel - (onHand - reserved + inbound)).
- suggestedSafetyStock = ceil(Z x sd x sqrt(leadTimeDays)), sd the population standard
  deviation of the WINDOW_DAYS daily demands (zero days included).

The per-day sums and their totals (sum and sum of squares) are one SQL aggregation, joined
to the positions; only the square root and the rounding are done here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from oms.auth import Principal
from oms.clock import now
from oms.enums import FulfillmentStatus
from oms.metrics.sql import Statement
from oms.reorder import among, check_first, visible_nodes

WINDOW_DAYS = 28
Z = 1.65
"The standard normal quantile of a 95% service level (one-sided)."
ROUNDING_SLACK = 1e-9
"Below this a safety stock is taken as a whole number (float noise must not add a unit)."


@dataclass(frozen=True)
class Suggestion:
    sku: str
    node_id: int
    on_hand: int
    reserved: int
    inbound: int
    reorder_point: int
    target_level: int
    suggested_quantity: int
    daily_demand: float
    days_of_cover: float | None
    suggested_safety_stock: int


def safety_stock(units: int, squares: int, lead_time_days: float,
                 days: int = WINDOW_DAYS) -> int:
    """ceil(Z x population sd of the daily demands x sqrt(lead time)), from the total and the
    sum of squares of `days` daily demands."""
    variance = max(0, days * squares - units * units) / (days * days)  # exact in integers
    raw = Z * math.sqrt(variance) * math.sqrt(lead_time_days)
    return max(0, math.ceil(raw - ROUNDING_SLACK))


def suggestion_of(row: dict[str, Any]) -> Suggestion:
    """A suggestion from one row of the statement below."""
    units, squares = int(row["units"]), int(row["squares"])
    on_hand, reserved, inbound = int(row["on_hand"]), int(row["reserved"]), int(row["inbound"])
    daily = units / WINDOW_DAYS
    target = int(row["target_level"])
    return Suggestion(
        sku=row["sku"], node_id=int(row["node_id"]), on_hand=on_hand, reserved=reserved,
        inbound=inbound, reorder_point=int(row["reorder_point"]), target_level=target,
        suggested_quantity=max(0, target - (on_hand - reserved + inbound)),
        daily_demand=daily, days_of_cover=(on_hand - reserved) / daily if daily else None,
        suggested_safety_stock=safety_stock(units, squares, float(row["lead_time_days"])),
    )


async def suggestions(principal: Principal, node_code: str | None = None,
                      first: int = 100) -> list[Suggestion]:
    """A suggestion per position with a policy whose onHand - reserved + inbound is at or
    below its reorder point (what the caller may see), by SKU then node."""
    check_first(first)
    node_ids = await visible_nodes(principal, node_code)
    q = Statement()
    at = now()
    day = (f'FLOOR(EXTRACT(EPOCH FROM (CAST({q.bind(at)} AS TIMESTAMPTZ) - f."created_at")) / 86400)'
           if q.postgres else f'CAST(julianday({q.bind(at)}) - julianday(f."created_at") AS INTEGER)')
    projected = 'CAST(p."on_hand" AS BIGINT) - p."reserved" + p."inbound"'
    rows = await q.rows(
        'SELECT p."sku" AS sku, p."node_id" AS node_id, p."on_hand" AS on_hand, '
        'p."reserved" AS reserved, p."inbound" AS inbound, p."reorder_point" AS reorder_point, '
        'p."target_level" AS target_level, p."lead_time_days" AS lead_time_days, '
        'COALESCE(d.units, 0) AS units, COALESCE(d.squares, 0) AS squares '
        'FROM "inventory_position" p LEFT JOIN ('
        'SELECT sku, node_id, SUM(units) AS units, SUM(units * units) AS squares FROM ('
        f'SELECT fl."sku" AS sku, f."node_id" AS node_id, {day} AS day, '
        'SUM(CAST(fl."quantity" AS BIGINT)) AS units '
        'FROM "fulfillment" f JOIN "fulfillment_line" fl ON fl."fulfillment_id" = f."id" '
        f'WHERE f."created_at" > {q.bind(at - timedelta(days=WINDOW_DAYS))} '
        f'AND f."created_at" <= {q.bind(at)} '
        f'AND f."status" <> {q.bind(str(FulfillmentStatus.REJECTED))}{among("f", node_ids)} '
        'GROUP BY 1, 2, 3) days GROUP BY sku, node_id'
        ') d ON d.sku = p."sku" AND d.node_id = p."node_id" '
        f'WHERE p."reorder_point" IS NOT NULL AND {projected} <= p."reorder_point"'
        f'{among("p", node_ids)} ORDER BY p."sku", p."node_id" LIMIT {int(first)}')
    return [suggestion_of(row) for row in rows]
