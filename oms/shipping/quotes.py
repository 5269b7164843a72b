"""What each service would charge for the parcels of a sourcing decision: one parcel per
node, each parcel's weight from its units."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from oms.errors import DomainError, ErrorCode
from oms.shipping.pricing import ZERO, ServiceInfo, ShippingTable
from oms.sourcing import Decision


@dataclass(frozen=True)
class Quote:
    service: ServiceInfo
    price: Decimal
    parcel_prices: dict[str, Decimal]
    "Price per node code (one parcel each)."


def parcels(decision: Decision) -> dict[str, list[tuple[str, int]]]:
    """(SKU, units) per node of the decision."""
    by_node: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for allocation in decision.allocations:
        by_node[allocation.node_code].append((allocation.sku, allocation.quantity))
    return dict(by_node)


def quotes(table: ShippingTable, decision: Decision, country: str | None,
           goods_total: Decimal) -> list[Quote]:
    """Every service that can carry every parcel, cheapest first (then fastest, then code)."""
    made = parcels(decision)
    found: list[Quote] = []
    for service in table.services:
        prices = {node: table.price(service, country, units, goods_total)
                  for node, units in made.items()}
        if all(price is not None for price in prices.values()):
            kept = {node: price for node, price in prices.items() if price is not None}
            found.append(Quote(service, sum(kept.values(), ZERO), kept))
    found.sort(key=lambda q: (q.price, q.service.transit_days, q.service.code))
    return found


def choose(found: list[Quote], code: str | None) -> Quote:
    """The quote of service `code`, or the cheapest; SHIPPING_UNAVAILABLE when none fits."""
    if code is None:
        if not found:
            raise DomainError.of(ErrorCode.SHIPPING_UNAVAILABLE,
                                 "no shipping service can deliver this order",
                                 "shippingAddress")
        return found[0]
    for quote in found:
        if quote.service.code == code:
            return quote
    raise DomainError.of(ErrorCode.SHIPPING_UNAVAILABLE,
                         f"shipping service {code!r} cannot deliver this order", "shippingServiceCode")
