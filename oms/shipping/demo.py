"""The demo's shipping: a national post, a courier and an express service with rates for
Italy, Spain and the rest of the EU, and a weight (and for a few, a class) per demo SKU."""
from __future__ import annotations

import random
from decimal import Decimal

from oms.orders.inputs import Price
from oms.shipping.carriers import (
    CarrierSpec,
    RateSpec,
    ServiceSpec,
    set_shipping_rates,
    upsert_carrier,
)
from oms.shipping.skus import SkuSpec, upsert_skus
from oms.uow import UnitOfWork

EU = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "FI", "FR", "GR", "HR", "HU", "IE",
      "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"]
"The EU but Italy and Spain, which have rates of their own."

CARRIERS = [
    CarrierSpec("POSTE", "Poste / Correos", [
        ServiceSpec("POST-STANDARD", "Posta standard", 4, ["HAZMAT"])]),
    CarrierSpec("COURIER", "Corriere nazionale", [
        ServiceSpec("COURIER-24", "Corriere 24/48h", 2)]),
    CarrierSpec("EXPRESS", "Express internazionale", [
        ServiceSpec("EXPRESS-1", "Express 1 giorno", 1, ["HAZMAT", "OVERSIZE"])]),
]

# service, countries, (max kg, price) bands, free above
_TABLE: list[tuple[str, list[str], list[tuple[float, str]], str | None]] = [
    ("POST-STANDARD", ["IT", "ES"], [(2, "4.90"), (10, "7.90"), (30, "12.90")], "49.00"),
    ("POST-STANDARD", EU, [(2, "12.00"), (10, "19.00"), (30, "29.00")], None),
    ("COURIER-24", ["IT", "ES"], [(5, "6.90"), (30, "9.90"), (70, "19.90")], "79.00"),
    ("COURIER-24", EU, [(5, "14.90"), (30, "24.90")], None),
    ("EXPRESS-1", ["IT", "ES"], [(5, "14.90"), (20, "24.90")], None),
    ("EXPRESS-1", EU, [(5, "29.90"), (20, "44.90")], None),
]


def demo_rates() -> list[RateSpec]:
    return [RateSpec(service, weight, Price(Decimal(price), "EUR"), countries,
                     Price(Decimal(free), "EUR") if free else None)
            for service, countries, bands, free in _TABLE for weight, price in bands]


def demo_skus(codes: list[str], rng: random.Random) -> list[SkuSpec]:
    """A weight per SKU (0.2 to 12 kg); one in thirty hazardous, one in forty oversized."""
    specs = []
    for n, code in enumerate(codes, start=1):
        shipping_class = "HAZMAT" if n % 30 == 0 else "OVERSIZE" if n % 40 == 0 else None
        specs.append(SkuSpec(code, f"Articolo {n}", round(rng.uniform(0.2, 12.0), 1),
                             shipping_class))
    return specs


async def seed_shipping(uow: UnitOfWork, codes: list[str], rng: random.Random) -> None:
    """Upsert the demo's carriers, rates and SKU attributes (the same every time)."""
    for carrier in CARRIERS:
        await upsert_carrier(uow, carrier)
    await set_shipping_rates(uow, demo_rates())
    await upsert_skus(uow, demo_skus(codes, rng))
