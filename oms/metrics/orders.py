"""The order-side KPI reads: one aggregate statement each over the orders of a scope.

Nothing here loads an order: each function sends one grouped statement and gets back a
handful of numbers (or, for distances, one row per distinct node and destination).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from oms import catalog
from oms.enums import FulfillmentStatus, OrderEventType, OrderStatus
from oms.errors import DomainError, ErrorCode
from oms.metrics.scope import MetricsScope
from oms.metrics.sql import Statement
from oms.sourcing.geo import distance_km, resolve_point

CENT = Decimal("0.01")
LIVE_EXCLUDED = (FulfillmentStatus.REJECTED, FulfillmentStatus.CANCELLED)
"Fulfillments that hold no units of the order any more (a split counts the others)."
SHIPPED = (FulfillmentStatus.SHIPPED, FulfillmentStatus.DELIVERED)
"Parcels that left a node for an address (pickups are handed over, not shipped)."
FIRST_DISPATCH = (OrderEventType.FULFILLMENT_SHIPPED, OrderEventType.FULFILLMENT_READY_FOR_PICKUP)
"History events that end an order's wait: a parcel shipped, or a pickup made ready."


@dataclass(frozen=True)
class OrderCounts:
    orders: int
    revenue: list[tuple[str, Decimal]]
    "(currency, sum of order totals), by currency."
    by_status: list[tuple[OrderStatus, int]]
    "Orders per current status, in the status vocabulary's order, statuses with none left out."


@dataclass(frozen=True)
class LineTotals:
    units: int
    "Units ordered (line quantities)."
    shipped: int
    "Units that left a node (shipped, or handed over at pickup)."
    returned: int
    "Units received back by a node on a return."
    orders_with_cancellation: int
    "Orders with at least one cancelled unit."


@dataclass(frozen=True)
class Placement:
    allocated: int
    "Units allocated to a node by the order's placement decision."
    backordered_orders: int
    "Orders whose placement decision backordered at least one unit."


async def order_counts(scope: MetricsScope) -> OrderCounts:
    """Orders, revenue per currency and orders per status: one statement grouped by
    (currency, status). Totals are summed in cents, exact on both databases."""
    q = Statement()
    rows = await q.rows(
        'SELECT o."currency" AS currency, o."status" AS status, COUNT(*) AS orders, '
        'SUM(CAST(ROUND(o."total" * 100) AS BIGINT)) AS cents '
        f'FROM "order" o WHERE {q.orders_in(scope)} GROUP BY o."currency", o."status"')
    revenue: dict[str, int] = {}
    statuses: dict[OrderStatus, int] = {}
    for row in rows:
        revenue[row["currency"]] = revenue.get(row["currency"], 0) + int(row["cents"])
        status = OrderStatus(row["status"])
        statuses[status] = statuses.get(status, 0) + int(row["orders"])
    return OrderCounts(
        orders=sum(statuses.values()),
        revenue=[(currency, (Decimal(cents) / 100).quantize(CENT))
                 for currency, cents in sorted(revenue.items())],
        by_status=[(status, statuses[status]) for status in OrderStatus if status in statuses])


async def line_totals(scope: MetricsScope) -> LineTotals:
    """Units ordered, shipped and returned, and orders with a cancelled unit, from the
    lines' quantity buckets (see oms.orders.status)."""
    q = Statement()
    rows = await q.rows(
        'SELECT COALESCE(SUM(l."quantity"), 0) AS units, '
        'COALESCE(SUM(l."shipped_quantity"), 0) AS shipped, '
        'COALESCE(SUM(l."returned_quantity"), 0) AS returned, '
        'COUNT(DISTINCT CASE WHEN l."cancelled_quantity" > 0 THEN l."order_id" END) AS cancelled '
        'FROM "order" o JOIN "order_line" l ON l."order_id" = o."id" '
        f'WHERE {q.orders_in(scope)}')
    row = rows[0]
    return LineTotals(int(row["units"]), int(row["shipped"]), int(row["returned"]),
                      int(row["cancelled"]))


async def placement(scope: MetricsScope) -> Placement:
    """What placement achieved, from each order's first sourcing decision (placement
    records it with the order; re-sourcing, backorder releases and rejections record later
    ones): units allocated, and orders with something backordered."""
    q = Statement()
    allocated = q.json_sum('d."decision"', "allocations", "quantity")
    backordered = q.json_sum('d."decision"', "backordered", "quantity")
    rows = await q.rows(
        'SELECT COALESCE(SUM(p.allocated), 0) AS allocated, '
        'COALESCE(SUM(CASE WHEN p.backordered > 0 THEN 1 ELSE 0 END), 0) AS backordered '
        f'FROM (SELECT {allocated} AS allocated, {backordered} AS backordered '
        'FROM "order" o JOIN "sourcing_decision" d ON d."order_id" = o."id" '
        f'WHERE {q.orders_in(scope)} AND d."id" = (SELECT MIN(x."id") FROM "sourcing_decision" x '
        'WHERE x."order_id" = o."id")) p')
    return Placement(int(rows[0]["allocated"]), int(rows[0]["backordered"]))


async def split_orders(scope: MetricsScope) -> int:
    """Orders whose fulfillments that still hold units or shipped them (not rejected, not
    cancelled) are at two nodes or more: placement, backorder releases, re-sourcing and
    overrides all count; a node that rejected or lost all its units to a cancellation
    does not."""
    q = Statement()
    rows = await q.rows(
        'SELECT COUNT(*) AS split FROM (SELECT f."order_id" FROM "order" o '
        'JOIN "fulfillment" f ON f."order_id" = o."id" '
        f'WHERE {q.orders_in(scope)} AND f."status" NOT IN ({q.bind_all(map(str, LIVE_EXCLUDED))}) '
        'GROUP BY f."order_id" HAVING COUNT(DISTINCT f."node_id") > 1) s')
    return int(rows[0]["split"])


async def mean_hours_to_ship(scope: MetricsScope) -> float | None:
    """Mean, over orders that have shipped a parcel or made a pickup ready, of the hours
    from placement to the first such history event; None when no order has."""
    q = Statement()
    hours = q.hours_between('MIN(e."at")', 'o."created_at"')
    rows = await q.rows(
        f'SELECT AVG(s.hours) AS hours FROM (SELECT {hours} AS hours FROM "order" o '
        'JOIN "order_event" e ON e."order_id" = o."id" '
        f'WHERE {q.orders_in(scope)} AND e."type" IN ({q.bind_all(map(str, FIRST_DISPATCH))}) '
        'GROUP BY o."id", o."created_at") s')
    value = rows[0]["hours"]
    return None if value is None else float(value)


async def mean_shipping_distance_km(scope: MetricsScope) -> float | None:
    """Mean great-circle km from the shipping node to the order's address, per shipped
    fulfillment (SHIPPED or DELIVERED), measured as sourcing measures it
    (`oms.sourcing.geo`: coordinates, else the country's centroid). SQL counts shipped
    fulfillments per distinct (node, destination); each distinct pair is measured once.
    Fulfillments with an end that cannot be placed are left out; None when none is left."""
    q = Statement()
    address = 'o."shipping_address"'
    rows = await q.rows(
        f'SELECT f."node_id" AS node_id, {q.json_float(address, "location", "latitude")} AS lat, '
        f'{q.json_float(address, "location", "longitude")} AS lon, '
        f'{q.json_text(address, "country")} AS country, COUNT(*) AS parcels '
        'FROM "order" o JOIN "fulfillment" f ON f."order_id" = o."id" '
        f'WHERE {q.orders_in(scope)} AND f."status" IN ({q.bind_all(map(str, SHIPPED))}) '
        'GROUP BY 1, 2, 3, 4')
    nodes = await catalog.nodes_by_id()
    total, parcels = 0.0, 0
    for row in rows:
        node, target = nodes.get(row["node_id"]), resolve_point(row["lat"], row["lon"],
                                                                  row["country"])
        km = None if node is None or target is None else distance_km(
            node.latitude, node.longitude, (node.address or {}).get("country"), target)
        if km is not None:
            total += km * int(row["parcels"])
            parcels += int(row["parcels"])
    return total / parcels if parcels else None


MAX_BUCKETS = 366


async def orders_over_time(scope: MetricsScope, buckets: int) -> list[int]:
    """Orders placed in each of `buckets` equal parts of the window, oldest first: one
    statement grouped by part (empty parts are 0)."""
    if not 1 <= buckets <= MAX_BUCKETS:
        raise DomainError.of(ErrorCode.BAD_USER_INPUT, f"buckets must be 1..{MAX_BUCKETS}",
                             "buckets")
    width = (scope.end - scope.start).total_seconds() / buckets
    q = Statement()
    part = q.seconds_since('o."created_at"', scope.start)
    rows = await q.rows(
        f'SELECT CAST(FLOOR({part} / {q.bind(width)}) AS INTEGER) AS part, COUNT(*) AS orders '
        f'FROM "order" o WHERE {q.orders_in(scope)} GROUP BY 1')
    counts = [0] * buckets
    for row in rows:
        counts[min(buckets - 1, max(0, int(row["part"])))] += int(row["orders"])
    return counts
