"""Operations KPIs over orders, computed in SQL from orders, lines, fulfillments, returns
and the recorded decisions and history (see `oms.metrics.kpis` for each definition)."""
from __future__ import annotations

from oms.metrics.kpis import OrderFigures, order_figures
from oms.metrics.orders import MAX_BUCKETS, LineTotals, OrderCounts
from oms.metrics.scope import MAX_WINDOW, MetricsScope, metrics_scope
from oms.metrics.work import MAX_REASONS, NodeLoad

__all__ = [
    "MAX_BUCKETS", "MAX_REASONS", "MAX_WINDOW", "LineTotals", "MetricsScope", "NodeLoad", "OrderCounts",
    "OrderFigures", "metrics_scope", "order_figures",
]
