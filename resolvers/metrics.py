"""Operations KPIs: orderMetrics."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from oms import metrics, scopes
from resolvers.base import answer
from schema.context import Info
from schema.metrics import OrderMetrics


@strawberry.type
class MetricsQuery:
    @strawberry.field(description=(
        "KPIs of the orders placed in [from, to) (at most a year), on `channel` or on every "
        "channel the token may see; for orders:read and orders:write tokens."))
    async def order_metrics(self, info: Info, from_: Annotated[datetime, strawberry.argument(name="from")],
                            to: datetime, channel: str | None = None) -> OrderMetrics:
        who = await info.context.require(*scopes.READ_METRICS)
        return OrderMetrics.of(await answer(metrics.order_figures(who, from_, to, channel)))
