"""A national post and a courier with Italian rates, and the operations the shipping tests use."""
from __future__ import annotations

from typing import Any

CARRIER = """
mutation($input: CarrierInput!) {
  upsertCarrier(input: $input) {
    carrier { code name services { code name transitDays excludedClasses carrier { code } } }
    userErrors { code message field }
  }
}"""
RATES = """
mutation($rates: [ShippingRateInput!]!) {
  setShippingRates(rates: $rates) {
    rates { id service { code } countries maxWeightKg price { amount currency }
            freeAbove { amount currency } }
    userErrors { code message field }
  }
}"""
SKUS = """
mutation($input: [SkuInput!]!) {
  upsertSkus(input: $input) { skus { sku name weightKg shippingClass } userErrors { code field } }
}"""
QUOTES = """
query($input: PlaceOrderInput!) {
  shippingQuotes(input: $input) {
    service { code carrier { code } } price { amount currency } parcels estimatedDelivery
  }
}"""
SHIPPING_FIELDS = """
  number total { amount } shippingTotal { amount currency } shippingService { code }
  fulfillments { node { code } shippingCost { amount } shippingService { code }
                 lines { sku quantity } }
"""
PLACE_SHIPPED = ("mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { "
                 + SHIPPING_FIELDS + " } userErrors { code message field } } }")


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def ok(api: Any, document: str, variables: dict[str, Any], root: str) -> dict[str, Any]:
    data = (await api(document, variables))[root]
    assert data["userErrors"] == [], data
    return dict(data)


async def skus(api: Any, *items: tuple[str, float, str | None]) -> None:
    await ok(api, SKUS, {"input": [{"sku": sku, "weightKg": weight, "shippingClass": cls}
                                   for sku, weight, cls in items]}, "upsertSkus")


async def post_and_courier(api: Any) -> None:
    """POST-STD (4 days, no HAZMAT): IT up to 2 kg 4.90, up to 10 kg 7.90, anywhere up to 10 kg
    19.00. CUR-24 (1 day): IT up to 5 kg 6.50, up to 30 kg 9.90 (free from 100.00)."""
    await ok(api, CARRIER, {"input": {"code": "POST", "name": "Poste", "services": [
        {"code": "POST-STD", "name": "Standard", "transitDays": 4,
         "excludedClasses": ["HAZMAT"]}]}}, "upsertCarrier")
    await ok(api, CARRIER, {"input": {"code": "CUR", "name": "Courier", "services": [
        {"code": "CUR-24", "name": "24h", "transitDays": 1}]}}, "upsertCarrier")
    await ok(api, RATES, {"rates": [
        {"serviceCode": "POST-STD", "countries": ["IT"], "maxWeightKg": 2, "price": eur("4.90")},
        {"serviceCode": "POST-STD", "countries": ["IT"], "maxWeightKg": 10, "price": eur("7.90")},
        {"serviceCode": "POST-STD", "maxWeightKg": 10, "price": eur("19.00")},
        {"serviceCode": "CUR-24", "countries": ["it"], "maxWeightKg": 5, "price": eur("6.50")},
        {"serviceCode": "CUR-24", "countries": ["IT"], "maxWeightKg": 30, "price": eur("9.90"),
         "freeAbove": eur("100.00")},
    ]}, "setShippingRates")
