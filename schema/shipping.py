"""SKU attributes, carriers, services, rates and shipping quotes."""
from __future__ import annotations

from datetime import datetime

import strawberry

from oms import models
from oms.orders.inputs import Price
from oms.shipping.carriers import CarrierSpec, RateSpec, ServiceSpec
from oms.shipping.quoting import QuoteResult
from oms.shipping.skus import SkuSpec
from schema import shipping_loaders as loaders
from schema.common import Money, MoneyInput, UserError
from schema.context import Info


@strawberry.type(description="What the OMS needs to know of a sellable item (the catalogue's "
                             "content lives elsewhere).")
class Sku:
    sku: str
    name: str | None
    weight_kg: float | None
    shipping_class: str | None = strawberry.field(description=(
        "Shipped only by services that accept hazardous goods, oversized items, etc."))

    @classmethod
    def of(cls, row: models.Sku) -> Sku:
        return cls(sku=row.code, name=row.name, weight_kg=row.weight_kg,
                   shipping_class=row.shipping_class)


@strawberry.input
class SkuInput:
    sku: str
    name: str | None = None
    weight_kg: float | None = None
    shipping_class: str | None = None

    def to_spec(self) -> SkuSpec:
        return SkuSpec(self.sku, self.name, self.weight_kg, self.shipping_class)


@strawberry.type
class SkusPayload:
    skus: list[Sku] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Carrier:
    code: str
    name: str
    id_: strawberry.Private[int]

    @strawberry.field
    async def services(self, info: Info) -> list[ShippingService]:
        rows = await info.context.loaders(loaders.services_by_carrier).load(self.id_)
        return [ShippingService.of(row) for row in rows]

    @classmethod
    def of(cls, row: models.Carrier) -> Carrier:
        return cls(code=row.code, name=row.name, id_=row.id)


@strawberry.type
class ShippingService:
    code: str
    name: str
    transit_days: int = strawberry.field(description="Business days from hand-over to delivery.")
    excluded_classes: list[str] = strawberry.field(
        description="Shipping classes this service refuses (e.g. HAZMAT).")
    carrier_id_: strawberry.Private[int]

    @strawberry.field
    async def carrier(self, info: Info) -> Carrier:
        return Carrier.of(await info.context.loaders(loaders.carriers_by_id).load(self.carrier_id_))

    @classmethod
    def of(cls, row: models.ShippingService) -> ShippingService:
        return cls(code=row.code, name=row.name, transit_days=row.transit_days,
                   excluded_classes=list(row.excluded_classes), carrier_id_=row.carrier_id)


async def service_by_code(info: Info, code: str | None) -> ShippingService | None:
    """The service named on an order or fulfillment (None once removed)."""
    if code is None:
        return None
    row = await info.context.loaders(loaders.services_by_code).load(code)
    return ShippingService.of(row) if row else None


@strawberry.type(description="A price for a service to a set of destination countries, for "
                             "parcels up to a weight.")
class ShippingRate:
    id: strawberry.ID
    countries: list[str] = strawberry.field(description="ISO 3166-1 alpha-2; empty = everywhere.")
    max_weight_kg: float
    price: Money
    free_above: Money | None = strawberry.field(description=(
        "Free when the order's goods total reaches this (same currency)."))
    service_id_: strawberry.Private[int]

    @strawberry.field
    async def service(self, info: Info) -> ShippingService:
        row = await info.context.loaders(loaders.services_by_id).load(self.service_id_)
        return ShippingService.of(row)

    @classmethod
    def of(cls, row: models.ShippingRate) -> ShippingRate:
        free = row.free_above
        return cls(id=strawberry.ID(str(row.id)), countries=list(row.countries),
                   max_weight_kg=row.max_weight_kg,
                   price=Money(amount=row.price, currency=row.currency),
                   free_above=None if free is None else Money(amount=free, currency=row.currency),
                   service_id_=row.service_id)


@strawberry.input
class ShippingServiceInput:
    code: str
    name: str
    transit_days: int
    excluded_classes: list[str] | None = strawberry.field(default_factory=list)

    def to_spec(self) -> ServiceSpec:
        return ServiceSpec(self.code, self.name, self.transit_days,
                           list(self.excluded_classes or []))


@strawberry.input
class CarrierInput:
    code: str
    name: str
    services: list[ShippingServiceInput]

    def to_spec(self) -> CarrierSpec:
        return CarrierSpec(self.code, self.name, [s.to_spec() for s in self.services])


def _price(money: MoneyInput) -> Price:
    return Price(money.amount, money.currency.upper())


@strawberry.input
class ShippingRateInput:
    service_code: str
    countries: list[str] | None = strawberry.field(default_factory=list)
    max_weight_kg: float
    price: MoneyInput
    free_above: MoneyInput | None = None

    def to_spec(self) -> RateSpec:
        return RateSpec(self.service_code, self.max_weight_kg, _price(self.price),
                        list(self.countries or []),
                        _price(self.free_above) if self.free_above else None)


@strawberry.type
class CarrierPayload:
    carrier: Carrier | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ShippingRatesPayload:
    rates: list[ShippingRate] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="What delivering an order with one service would cost and when "
                             "it would arrive.")
class ShippingQuote:
    price: Money = strawberry.field(description=(
        "Summed over the parcels the current sourcing would make (one per shipping node)."))
    parcels: int
    estimated_delivery: datetime = strawberry.field(description=(
        "Latest delivery date over the parcels: node processing time + transit days."))
    service_code_: strawberry.Private[str]

    @strawberry.field
    async def service(self, info: Info) -> ShippingService:
        found = await service_by_code(info, self.service_code_)
        assert found is not None  # quoted from the table read in this request
        return found

    @classmethod
    def of(cls, result: QuoteResult) -> ShippingQuote:
        return cls(price=Money(amount=result.price, currency=result.currency),
                   parcels=result.parcels, estimated_delivery=result.estimated_delivery,
                   service_code_=result.service_code)
