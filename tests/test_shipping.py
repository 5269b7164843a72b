"""Shipping through the API: quotes for multi-parcel orders against prices and dates worked
out by hand, the charge on the order and its fulfillments, refusals, and nothing changed
for a retailer without rates.

Destination Bergamo (IT); MIL is 46 km away, TOR 170 km (see order_helpers). Now is
Thursday 5 March 2026, 10:00 UTC.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from oms.clock import ManualClock, use
from tests.order_helpers import PLACE, network, order_input, refused, rule, stock
from tests.shipping_helpers import (
    CARRIER,
    PLACE_SHIPPED,
    QUOTES,
    RATES,
    eur,
    post_and_courier,
    skus,
)

THURSDAY = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def thursday() -> Iterator[None]:
    with use(ManualClock(THURSDAY)):
        yield


async def two_parcels(api: Any) -> None:
    """BOOK (1.2 kg) only at MIL (24 h processing), LAMP (4 kg) only at TOR (48 h)."""
    await network(api, ("MIL", "TOR"), MIL={"processingTimeHours": 24},
                  TOR={"processingTimeHours": 48})
    await stock(api, ("BOOK", "MIL", 5), ("LAMP", "TOR", 5), ("GAS", "MIL", 5))
    await skus(api, ("BOOK", 1.2, None), ("LAMP", 4.0, None), ("GAS", 0.5, "HAZMAT"))
    await post_and_courier(api)


async def quotes(api: Any, body: dict[str, Any]) -> list[dict[str, Any]]:
    return list((await api(QUOTES, {"input": body}))["shippingQuotes"])


async def placed(api: Any, body: dict[str, Any]) -> dict[str, Any]:
    data = (await api(PLACE_SHIPPED, {"input": body}))["placeOrder"]
    assert data["userErrors"] == [], data
    return dict(data["order"])


async def test_quotes_price_each_parcel_and_date_the_latest(api: Any) -> None:
    await two_parcels(api)
    found = await quotes(api, order_input(("BOOK", 1), ("LAMP", 1)))
    # POST-STD: MIL 1.2 kg -> 4.90, TOR 4 kg -> 7.90. Handed over Fri 6 (MIL) and, 48 h
    # later on Saturday, Mon 9 (TOR); 4 business days: Thu 12 and Fri 13.
    # CUR-24: 6.50 + 6.50; Fri 6 + 1 = Mon 9, Mon 9 + 1 = Tue 10.
    assert found == [
        {"service": {"code": "POST-STD", "carrier": {"code": "POST"}}, "price": eur("12.80"),
         "parcels": 2, "estimatedDelivery": "2026-03-13T10:00:00+00:00"},
        {"service": {"code": "CUR-24", "carrier": {"code": "CUR"}}, "price": eur("13.00"),
         "parcels": 2, "estimatedDelivery": "2026-03-10T10:00:00+00:00"},
    ]


async def test_an_order_is_charged_the_cheapest_and_pays_goods_plus_shipping(api: Any) -> None:
    await two_parcels(api)
    body = order_input(("BOOK", 1), ("LAMP", 1),
                       payment={"reference": "psp-1", "amount": eur("20.00")})
    data = (await api(PLACE, {"input": body}))["placeOrder"]
    assert data["order"] is None
    assert [(e["code"], e["field"]) for e in data["userErrors"]] == [
        ("TOTAL_MISMATCH", ["payment", "amount", "amount"])]
    assert "32.80" in data["userErrors"][0]["message"]
    order = await placed(api, {**body, "payment": {"reference": "psp-1", "amount": eur("32.80")}})
    assert order["total"] == {"amount": "32.80"}
    assert order["shippingTotal"] == eur("12.80")
    assert order["shippingService"] == {"code": "POST-STD"}
    parcels = {f["node"]["code"]: (f["shippingCost"], f["shippingService"])
               for f in order["fulfillments"]}
    assert parcels == {"MIL": ({"amount": "4.90"}, {"code": "POST-STD"}),
                       "TOR": ({"amount": "7.90"}, {"code": "POST-STD"})}


async def test_the_chosen_service_is_charged(api: Any) -> None:
    await two_parcels(api)
    order = await placed(api, order_input(("BOOK", 1), ("LAMP", 1), shippingServiceCode="CUR-24",
                                          payment={"reference": "p", "amount": eur("33.00")}))
    assert (order["shippingService"], order["shippingTotal"]) == ({"code": "CUR-24"},
                                                                   eur("13.00"))


async def test_a_service_refusing_a_class_cannot_deliver(api: Any) -> None:
    await two_parcels(api)
    body = order_input(("GAS", 1))
    assert [q["service"]["code"] for q in await quotes(api, body)] == ["CUR-24"]
    assert await refused(api, {**body, "shippingServiceCode": "POST-STD"}) == [
        "SHIPPING_UNAVAILABLE"]
    assert await refused(api, {**body, "shippingServiceCode": "NOPE"}) == ["SHIPPING_UNAVAILABLE"]
    left = await api("{ orders(first: 5) { edges { node { number } } } }")
    assert left["orders"]["edges"] == []


async def test_free_above_and_countries(api: Any) -> None:
    await two_parcels(api)
    # 2 x 60.00 = 120.00 of goods, 2.4 kg: CUR-24's 30 kg band is free from 100.00.
    rich = await quotes(api, order_input(("BOOK", 2), price="60.00"))
    assert [(q["service"]["code"], q["price"]["amount"]) for q in rich] == [
        ("CUR-24", "0.00"), ("POST-STD", "7.90")]
    madrid = {"line1": "Gran Via 1", "city": "Madrid", "country": "ES"}
    spain = await quotes(api, order_input(("BOOK", 1), shippingAddress=madrid))
    assert [(q["service"]["code"], q["price"]["amount"]) for q in spain] == [
        ("POST-STD", "19.00")]


async def test_without_rates_nothing_changes(api: Any) -> None:
    await network(api, ("MIL",))
    await stock(api, ("BOOK", "MIL", 5))
    assert await quotes(api, order_input(("BOOK", 1))) == []
    order = await placed(api, order_input(("BOOK", 2),
                                          payment={"reference": "p", "amount": eur("20.00")}))
    assert (order["total"], order["shippingTotal"], order["shippingService"]) == (
        {"amount": "20.00"}, None, None)
    assert order["fulfillments"][0]["shippingCost"] is None
    assert await refused(api, order_input(("BOOK", 1), shippingServiceCode="CUR-24")) == [
        "SHIPPING_UNAVAILABLE"]


async def heavy_and_light(api: Any) -> None:
    """X weighs 10 kg, Y 0.5 kg; an order of 2 + 2 that no node holds whole: MIL (near) has
    X 2 + Y 1 (20.5 kg: 14.00 by RATE), TOR X 1 + Y 2 (11 kg: 8.00)."""
    await network(api, ("MIL", "TOR"))
    await stock(api, ("X", "MIL", 2), ("Y", "MIL", 1), ("X", "TOR", 1), ("Y", "TOR", 2))
    await skus(api, ("X", 10.0, None), ("Y", 0.5, None))
    await post_and_courier(api)
    await api("""mutation { setShippingRates(rates: [
        {serviceCode: "CUR-24", countries: ["IT"], maxWeightKg: 15,
         price: {amount: "8.00", currency: "EUR"}},
        {serviceCode: "CUR-24", countries: ["IT"], maxWeightKg: 30,
         price: {amount: "14.00", currency: "EUR"}},
        {serviceCode: "POST-STD", countries: ["FR"], maxWeightKg: 1,
         price: {amount: "1.00", currency: "EUR"}}]) { userErrors { code } } }""")


async def test_a_cost_weight_sources_the_cheaper_parcels(api: Any) -> None:
    await heavy_and_light(api)
    body = order_input(("X", 2), ("Y", 2))
    # Nearest first: MIL sends X 2 + Y 1 (14.00), TOR the other Y (8.00).
    assert [q["price"]["amount"] for q in await quotes(api, body)] == ["22.00"]
    await rule(api, weights={"distance": 0, "cost": 1})
    # Cheapest parcel first: TOR sends X 1 + Y 2 (8.00), MIL the other X (10 kg: 8.00).
    assert [q["price"]["amount"] for q in await quotes(api, body)] == ["16.00"]
    order = await placed(api, body)
    assert {f["node"]["code"]: ({line["sku"]: line["quantity"] for line in f["lines"]},
                                f["shippingCost"]["amount"]) for f in order["fulfillments"]} \
        == {"TOR": ({"X": 1, "Y": 2}, "8.00"), "MIL": ({"X": 1}, "8.00")}
    assert order["shippingTotal"]["amount"] == "16.00"


async def test_an_order_no_service_can_deliver_is_refused(api: Any) -> None:
    await two_parcels(api)
    madrid = {"line1": "Gran Via 1", "city": "Madrid", "country": "ES"}
    body = order_input(("GAS", 1), shippingAddress=madrid)  # POST-STD: HAZMAT; CUR-24: no ES
    assert await quotes(api, body) == []
    assert await refused(api, body) == ["SHIPPING_UNAVAILABLE"]


READ_CARRIERS = """{
  carriers { code name services { code transitDays excludedClasses } }
  shippingRates(serviceCode: "POST-STD") { service { code } countries maxWeightKg
                                           price { amount } freeAbove { amount } }
}"""


async def test_carriers_and_rates_read_back_and_bad_ones_are_refused(api: Any) -> None:
    await post_and_courier(api)
    found = await api(READ_CARRIERS)
    assert found["carriers"] == [
        {"code": "CUR", "name": "Courier",
         "services": [{"code": "CUR-24", "transitDays": 1, "excludedClasses": []}]},
        {"code": "POST", "name": "Poste",
         "services": [{"code": "POST-STD", "transitDays": 4, "excludedClasses": ["HAZMAT"]}]}]
    assert [(r["countries"], r["maxWeightKg"], r["price"]["amount"])
            for r in found["shippingRates"]] == [
        (["IT"], 2.0, "4.90"), (["IT"], 10.0, "7.90"), ([], 10.0, "19.00")]
    stolen = await api(CARRIER, {"input": {"code": "POST", "name": "Poste", "services": [
        {"code": "CUR-24", "name": "mine", "transitDays": -1}]}})
    assert [(e["code"], e["field"]) for e in stolen["upsertCarrier"]["userErrors"]] == [
        ("INVALID_INPUT", ["services", "0", "transitDays"]),
        ("INVALID_INPUT", ["services", "0", "code"])]
    bad = await api(RATES, {"rates": [
        {"serviceCode": "NOPE", "maxWeightKg": 1, "price": eur("1.00")},
        {"serviceCode": "CUR-24", "countries": ["Italy"], "maxWeightKg": 0, "price": eur("-1"),
         "freeAbove": {"amount": "50", "currency": "USD"}}]})
    assert [(e["code"], e["field"]) for e in bad["setShippingRates"]["userErrors"]] == [
        ("NOT_FOUND", ["rates", "0", "serviceCode"]),
        ("INVALID_INPUT", ["rates", "1", "countries", "0"]),
        ("INVALID_INPUT", ["rates", "1", "maxWeightKg"]),
        ("INVALID_INPUT", ["rates", "1", "price", "amount"]),
        ("CURRENCY_MISMATCH", ["rates", "1", "freeAbove", "currency"])]
    assert await api(READ_CARRIERS) == found
