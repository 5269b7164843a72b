"""SKU attributes, carriers and rates, and shipping quotes."""
from __future__ import annotations

import strawberry

from oms import scopes
from oms.scopes import Scope
from oms.shipping import carriers, skus
from oms.shipping.quoting import shipping_quotes
from resolvers.base import answer, mutate
from schema.context import Info
from schema.orders import PlaceOrderInput
from schema.shipping import (
    Carrier,
    CarrierInput,
    CarrierPayload,
    ShippingQuote,
    ShippingRate,
    ShippingRateInput,
    ShippingRatesPayload,
    Sku,
    SkuInput,
    SkusPayload,
)


@strawberry.type
class ShippingQuery:
    @strawberry.field
    async def skus(self, info: Info, codes: list[str]) -> list[Sku]:
        await info.context.require(*scopes.READ_SKUS)
        return [Sku.of(row) for row in await skus.get_skus(codes)]

    @strawberry.field
    async def carriers(self, info: Info) -> list[Carrier]:
        await info.context.principal()
        return [Carrier.of(row) for row in await carriers.list_carriers()]

    @strawberry.field
    async def shipping_rates(self, info: Info, service_code: str | None = None) -> list[ShippingRate]:
        await info.context.principal()
        return [ShippingRate.of(row) for row in await carriers.list_rates(service_code)]

    @strawberry.field(description="Every service that can deliver this order, cheapest first; "
                                  "changes nothing.")
    async def shipping_quotes(self, info: Info, input: PlaceOrderInput) -> list[ShippingQuote]:
        who = await info.context.require(*scopes.QUOTE_SHIPPING)
        found = await answer(shipping_quotes(who, input.to_spec()))
        return [ShippingQuote.of(quote) for quote in found]


@strawberry.type
class ShippingMutation:
    @strawberry.mutation
    async def upsert_skus(self, info: Info, input: list[SkuInput]) -> SkusPayload:
        specs = [item.to_spec() for item in input]
        out = await mutate(info, (Scope.INVENTORY_WRITE,),
                           lambda uow, who: skus.upsert_skus(uow, specs),
                           audit=lambda rows: f"skus:{len(rows)}",
                           audit_details=lambda: {"skus": len(specs)})
        return SkusPayload(skus=[Sku.of(row) for row in out.value or []],
                           user_errors=out.user_errors)

    @strawberry.mutation
    async def upsert_carrier(self, info: Info, input: CarrierInput) -> CarrierPayload:
        spec = input.to_spec()
        out = await mutate(info, (Scope.ROUTING_WRITE,),
                           lambda uow, who: carriers.upsert_carrier(uow, spec),
                           audit=lambda carrier: f"carrier:{carrier.code}")
        return CarrierPayload(carrier=out.map(Carrier.of), user_errors=out.user_errors)

    @strawberry.mutation(description="Replace every rate of the services named in `rates`.")
    async def set_shipping_rates(self, info: Info,
                                 rates: list[ShippingRateInput]) -> ShippingRatesPayload:
        specs = [rate.to_spec() for rate in rates]
        out = await mutate(info, (Scope.ROUTING_WRITE,),
                           lambda uow, who: carriers.set_shipping_rates(uow, specs),
                           audit=lambda rows: f"rates:{len(rows)}",
                           audit_details=lambda: {"services": sorted({s.service_code
                                                                      for s in specs})})
        return ShippingRatesPayload(rates=[ShippingRate.of(row) for row in out.value or []],
                                    user_errors=out.user_errors)
