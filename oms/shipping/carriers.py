"""Carriers, their services and the services' rates, as the business edits them.

`upsert_carrier` states a carrier whole: services it no longer lists are removed with their
rates (orders keep the code they were shipped with). `set_shipping_rates` replaces every
rate of the services it names.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from oms.catalog import CODE_PATTERN
from oms.errors import ErrorCode, Problems
from oms.models import Carrier, ShippingRate, ShippingService
from oms.orders.inputs import Price
from oms.orders.validation import MAX_AMOUNT
from oms.text import check_length
from oms.uow import UnitOfWork

COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_TRANSIT_DAYS = 365
SHIPPING_CHANGED = "shipping.changed"


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    transit_days: int
    excluded_classes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CarrierSpec:
    code: str
    name: str
    services: list[ServiceSpec]


@dataclass(frozen=True)
class RateSpec:
    service_code: str
    max_weight_kg: float
    price: Price
    countries: list[str] = field(default_factory=list)
    free_above: Price | None = None


def _check_named(problems: Problems, code: str, name: str, *path: str | int) -> None:
    if not CODE_PATTERN.match(code):
        problems.add(ErrorCode.INVALID_INPUT, "code: letters, digits, _ . : - (max 64)",
                     *path, "code")
    if not name.strip():
        problems.add(ErrorCode.INVALID_INPUT, "name must not be empty", *path, "name")
    check_length(problems, name.strip(), Carrier, "name", *path, "name")


async def _check_carrier(spec: CarrierSpec) -> None:
    problems = Problems()
    _check_named(problems, spec.code, spec.name)
    owners = dict(await ShippingService.filter(code__in=[s.code for s in spec.services])
                  .values_list("code", "carrier__code"))
    seen: set[str] = set()
    for i, service in enumerate(spec.services):
        _check_named(problems, service.code, service.name, "services", i)
        if not 0 <= service.transit_days <= MAX_TRANSIT_DAYS:
            problems.add(ErrorCode.INVALID_INPUT, f"transitDays must be 0..{MAX_TRANSIT_DAYS}",
                         "services", i, "transitDays")
        if owners.get(service.code, spec.code) != spec.code:
            problems.add(ErrorCode.INVALID_INPUT, f"service {service.code} belongs to carrier "
                         f"{owners[service.code]}", "services", i, "code")
        if service.code in seen:
            problems.add(ErrorCode.DUPLICATE_RECORD, f"service {service.code} is listed twice",
                         "services", i, "code")
        seen.add(service.code)
    problems.raise_if_any()


async def upsert_carrier(uow: UnitOfWork, spec: CarrierSpec) -> Carrier:
    """Create or update the carrier and its services (those not listed are removed)."""
    await _check_carrier(spec)
    carrier, _ = await Carrier.update_or_create(defaults={"name": spec.name.strip()},
                                                code=spec.code)
    await ShippingService.filter(carrier_id=carrier.id).exclude(
        code__in=[s.code for s in spec.services]).delete()
    for service in spec.services:
        await ShippingService.update_or_create(
            defaults={"carrier_id": carrier.id, "name": service.name.strip(),
                      "transit_days": service.transit_days,
                      "excluded_classes": sorted(set(service.excluded_classes))},
            code=service.code)
    uow.record(SHIPPING_CHANGED, {"carrier": spec.code})
    return carrier


def _check_money(problems: Problems, money: Price, *path: str | int) -> None:
    if not 0 <= money.amount <= MAX_AMOUNT:
        problems.add(ErrorCode.INVALID_INPUT, f"amount must be 0..{MAX_AMOUNT}", *path, "amount")


async def _check_rates(specs: list[RateSpec]) -> dict[str, int]:
    problems = Problems()
    ids = dict(await ShippingService.filter(code__in=[s.service_code for s in specs])
               .values_list("code", "id"))
    for i, spec in enumerate(specs):
        if spec.service_code not in ids:
            problems.add(ErrorCode.NOT_FOUND, f"unknown shipping service {spec.service_code!r}",
                         "rates", i, "serviceCode")
        for j, country in enumerate(spec.countries):
            if not COUNTRY.match(country.upper()):
                problems.add(ErrorCode.INVALID_INPUT, "countries: ISO 3166-1 alpha-2, e.g. IT",
                             "rates", i, "countries", j)
        if not (math.isfinite(spec.max_weight_kg) and spec.max_weight_kg > 0):
            problems.add(ErrorCode.INVALID_INPUT, "maxWeightKg must be > 0",
                         "rates", i, "maxWeightKg")
        _check_money(problems, spec.price, "rates", i, "price")
        if spec.free_above is not None:
            _check_money(problems, spec.free_above, "rates", i, "freeAbove")
            if spec.free_above.currency != spec.price.currency:
                problems.add(ErrorCode.CURRENCY_MISMATCH, "freeAbove must be in the price's "
                             "currency", "rates", i, "freeAbove", "currency")
    problems.raise_if_any()
    return ids


async def set_shipping_rates(uow: UnitOfWork, specs: list[RateSpec]) -> list[ShippingRate]:
    """Replace every rate of the services named in `specs` with those given."""
    ids = await _check_rates(specs)
    await ShippingRate.filter(service_id__in=set(ids.values())).delete()
    rows = [ShippingRate(service_id=ids[s.service_code],
                         countries=sorted({c.upper() for c in s.countries}),
                         max_weight_kg=s.max_weight_kg, price=s.price.amount,
                         currency=s.price.currency,
                         free_above=s.free_above.amount if s.free_above else None)
            for s in specs]
    for row in rows:
        await row.save()
    uow.record(SHIPPING_CHANGED, {"services": sorted(ids)})
    return rows


async def list_carriers() -> list[Carrier]:
    return await Carrier.all().order_by("code")


async def list_rates(service_code: str | None) -> list[ShippingRate]:
    """Every rate (of one service), by service, then countries and weight."""
    query = ShippingRate.all()
    if service_code is not None:
        query = query.filter(service__code=service_code)
    rows = await query.prefetch_related("service").order_by("service_id", "max_weight_kg", "id")
    return rows
