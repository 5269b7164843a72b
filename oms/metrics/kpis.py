"""Order KPIs (`orderMetrics`): what each figure means, in terms of the rows we store.

The orders are those placed (`order.created_at`) in [from, to) on the scope's channels.
Rates are shares in 0..1, 0 when there is nothing to divide by.

- orders, units: the orders; their ordered units (sum of line quantities).
- revenue: the orders' totals summed per currency (cancelled orders included: what was sold).
- byStatus: the orders per current (derived) status.
- fillRate: units allocated to a node by the placement decision (each order's first
  SourcingDecisionRecord) / units ordered. Later allocations (backorder releases,
  re-sourcing) do not raise it: it measures what was promised at checkout.
- splitRate: orders whose fulfillments, rejected and cancelled ones left out, are at more
  than one node / orders. It counts every allocation (placement, releases, re-sourcing,
  overrides), so it says how many orders go out in parcels from several nodes.
- backorderRate: orders whose placement decision backordered a unit / orders.
- cancellationRate: orders with a line whose cancelled quantity is above 0 / orders.
- returnRate: units received back on returns (lines' returned quantity) / units shipped
  (lines' shipped quantity, pickups handed over included), both over the orders.
- meanShippingDistanceKm: mean great-circle km from node to address per SHIPPED or
  DELIVERED fulfillment, as sourcing measures it; null when none.
- meanHoursToShip: mean over orders with a FULFILLMENT_SHIPPED or
  FULFILLMENT_READY_FOR_PICKUP event of the hours from placement to the first; null when none.
- topReturnReasons: units asked back per reason on the orders' returns not cancelled.
- nodes: per node, its fulfillments created in the window (see `oms.metrics.work`).
- ordersOverTime(buckets): the orders counted in each of `buckets` equal parts of the
  window, oldest first (a chart's series in one statement).
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar, cast

from oms.auth import Principal
from oms.metrics.orders import (
    LineTotals,
    OrderCounts,
    line_totals,
    mean_hours_to_ship,
    mean_shipping_distance_km,
    order_counts,
    orders_over_time,
    placement,
    split_orders,
)
from oms.metrics.scope import MetricsScope, metrics_scope
from oms.metrics.work import NodeLoad, node_loads, top_return_reasons

T = TypeVar("T")


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


class OrderFigures:
    """The KPIs of one scope. Each read (one statement) runs the first time a figure that
    needs it is asked for and is shared by the others: a dashboard tile asking only for
    `orders` sends one statement, the whole dashboard about eight."""

    def __init__(self, scope: MetricsScope) -> None:
        self.scope = scope
        self._reads: dict[Callable[..., Any], asyncio.Future[Any]] = {}

    async def _once(self, read: Callable[[MetricsScope], Awaitable[T]]) -> T:
        future = self._reads.get(read)
        if future is None:
            future = self._reads[read] = asyncio.ensure_future(read(self.scope))
        return cast(T, await future)

    async def counts(self) -> OrderCounts:
        return await self._once(order_counts)

    async def lines(self) -> LineTotals:
        return await self._once(line_totals)

    async def fill_rate(self) -> float:
        placed = await self._once(placement)
        return share(placed.allocated, (await self.lines()).units)

    async def split_rate(self) -> float:
        return share(await self._once(split_orders), (await self.counts()).orders)

    async def backorder_rate(self) -> float:
        placed = await self._once(placement)
        return share(placed.backordered_orders, (await self.counts()).orders)

    async def cancellation_rate(self) -> float:
        return share((await self.lines()).orders_with_cancellation, (await self.counts()).orders)

    async def return_rate(self) -> float:
        lines = await self.lines()
        return share(lines.returned, lines.shipped)

    async def mean_shipping_distance_km(self) -> float | None:
        return await self._once(mean_shipping_distance_km)

    async def mean_hours_to_ship(self) -> float | None:
        return await self._once(mean_hours_to_ship)

    async def top_return_reasons(self, first: int) -> list[tuple[str, int]]:
        return await top_return_reasons(self.scope, first)

    async def orders_over_time(self, buckets: int) -> list[int]:
        return await orders_over_time(self.scope, buckets)

    async def node_loads(self) -> list[NodeLoad]:
        return await self._once(node_loads)


async def order_figures(principal: Principal, start: datetime, end: datetime,
                        channel: str | None) -> OrderFigures:
    """The KPIs of the orders `principal` may see placed in [start, end) (on `channel`);
    refusals as `metrics_scope` says. Nothing is read until a figure is asked for."""
    return OrderFigures(await metrics_scope(principal, start, end, channel))
