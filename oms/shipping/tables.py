"""Reading the rate table the pricing works with (`oms.shipping.pricing`).

Read on every ship-to-address placement, uncached like the routing rules: a rate changed
by one server process is charged by every other at once. With no rate in the channel's
currency that is the one statement it costs, and shipping is not charged at all.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from oms.models import ShippingRate, ShippingService
from oms.shipping.pricing import ItemInfo, RateInfo, ServiceInfo, ShippingTable


async def load_table(currency: str, items: Mapping[str, ItemInfo]) -> ShippingTable | None:
    """The services with rates in `currency` and those rates; None when there are none."""
    rows = await ShippingRate.filter(currency=currency).values_list(
        "service_id", "countries", "max_weight_kg", "price", "free_above")
    if not rows:
        return None
    services = await ShippingService.filter(id__in={row[0] for row in rows}).values_list(
        "id", "code", "transit_days", "excluded_classes")
    codes = {service_id: code for service_id, code, _, _ in services}
    rates: dict[str, list[RateInfo]] = defaultdict(list)
    for row in rows:
        rates[codes[row[0]]].append(_rate(codes[row[0]], row))
    return ShippingTable(
        tuple(ServiceInfo(code, transit, frozenset(excluded or ()))
              for _, code, transit, excluded in sorted(services, key=lambda s: s[1])),
        {code: tuple(found) for code, found in rates.items()},
        items,
    )


def _rate(code: str, row: tuple[Any, ...]) -> RateInfo:
    _, countries, max_weight, price, free_above = row
    return RateInfo(code, frozenset(countries or ()), float(max_weight), Decimal(price),
                    None if free_above is None else Decimal(free_above))
