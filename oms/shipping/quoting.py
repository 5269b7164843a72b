"""shippingQuotes: what each service would charge for an order sourced as it would be now,
and when it would arrive; nothing is written."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from oms.auth import Principal
from oms.clock import now
from oms.models import Node
from oms.orders.inputs import OrderSpec
from oms.orders.simulation import simulate_checked
from oms.shipping.charges import destination_country
from oms.shipping.pricing import delivery_date
from oms.shipping.quotes import Quote, parcels, quotes


@dataclass(frozen=True)
class QuoteResult:
    service_code: str
    price: Decimal
    currency: str
    parcels: int
    estimated_delivery: datetime


async def shipping_quotes(principal: Principal | None, spec: OrderSpec) -> list[QuoteResult]:
    """Every service that can deliver `spec`, cheapest first (none without rates, or for a
    pickup order). The order is validated as placeOrder would."""
    checked, decision = await simulate_checked(principal, spec)
    table = checked.shipping
    if table is None:
        return []
    nodes = list(parcels(decision))
    hours = dict(await Node.filter(code__in=nodes).values_list("code", "processing_time_hours"))
    start = now()
    return [_result(quote, checked.channel.currency, nodes, hours, start)
            for quote in quotes(table, decision, destination_country(spec), spec.total)]


def _result(quote: Quote, currency: str, nodes: list[str], hours: dict[str, float],
            start: datetime) -> QuoteResult:
    transit = quote.service.transit_days
    latest = max((delivery_date(start, hours[node], transit) for node in nodes),
                 default=delivery_date(start, 0, transit))
    return QuoteResult(quote.service.code, quote.price, currency, len(nodes), latest)
