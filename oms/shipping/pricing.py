"""Pricing parcels with a rate table: pure, frozen data in, prices and dates out.

A parcel goes from one node to the destination country; its weight is the sum of its
units' weights (a SKU without a weight weighs nothing). A service carries it when none of
its SKUs has a shipping class the service excludes and one of its rates fits: the rate's
countries hold the destination (no countries: everywhere) and its maxWeightKg is at least
the parcel's weight. Among the fitting rates the cheapest counts, free when the order's
goods total reaches the rate's freeAbove.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

SATURDAY = 5
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    code: str
    transit_days: int
    excluded_classes: frozenset[str]


@dataclass(frozen=True, slots=True)
class RateInfo:
    service_code: str
    countries: frozenset[str]
    max_weight_kg: float
    price: Decimal
    free_above: Decimal | None

    def fits(self, country: str | None, weight_kg: float) -> bool:
        return weight_kg <= self.max_weight_kg and (
            not self.countries or country in self.countries)

    def charge(self, goods_total: Decimal | None) -> Decimal:
        free = (self.free_above is not None and goods_total is not None
                and goods_total >= self.free_above)
        return ZERO if free else self.price


@dataclass(frozen=True, slots=True)
class ItemInfo:
    weight_kg: float
    shipping_class: str | None


Units = Iterable[tuple[str, int]]
"(SKU, units) of one parcel."


@dataclass(frozen=True)
class ShippingTable:
    """The services and rates of one currency, and the attributes of the SKUs concerned."""

    services: tuple[ServiceInfo, ...]
    rates: Mapping[str, tuple[RateInfo, ...]]
    "Rates per service code."
    items: Mapping[str, ItemInfo]

    def weight(self, units: Units) -> float:
        return sum(self._item(sku).weight_kg * quantity for sku, quantity in units)

    def price(self, service: ServiceInfo, country: str | None, units: Units,
              goods_total: Decimal | None = None) -> Decimal | None:
        """What `service` charges for a parcel of `units`; None when it cannot carry it."""
        held = list(units)
        if any(self._item(sku).shipping_class in service.excluded_classes for sku, _ in held):
            return None
        weight = self.weight(held)
        charges = [rate.charge(goods_total) for rate in self.rates.get(service.code, ())
                   if rate.fits(country, weight)]
        return min(charges, default=None)

    def cheapest(self, country: str | None, units: Units) -> Decimal | None:
        """The lowest price any service asks for this parcel (None: no service carries it)."""
        held = list(units)
        prices = [p for s in self.services if (p := self.price(s, country, held)) is not None]
        return min(prices, default=None)

    def _item(self, sku: str) -> ItemInfo:
        return self.items.get(sku) or NO_ITEM


NO_ITEM = ItemInfo(0.0, None)


def delivery_date(start: datetime, processing_hours: float, transit_days: int) -> datetime:
    """Handed over after the node's processing time, then `transit_days` business days
    (Saturdays and Sundays do not count; a hand-over at the weekend waits for Monday)."""
    moment = start + timedelta(hours=processing_hours)
    while moment.weekday() >= SATURDAY:
        moment += timedelta(days=1)
    for _ in range(transit_days):
        moment += timedelta(days=1)
        while moment.weekday() >= SATURDAY:
            moment += timedelta(days=1)
    return moment
