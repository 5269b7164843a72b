"""`oms seed --demo`: a believable retailer that GraphiQL's examples work against, seeded twice."""
from __future__ import annotations

from oms.demo import seed_demo
from tests.helpers import available


async def test_demo_seed_serves_the_graphiql_examples_and_can_run_again(api):
    first = await seed_demo()
    again = await seed_demo()
    assert (await available(api.as_(first), "web", "SKU-0001"))["available"] > 0
    web = await available(api.as_(again), "web", "SKU-0001")
    assert web["available"] > 0 and len(web["byNode"]) > 10
    pickup = await available(api, "store-pickup", "SKU-0001", method="PICKUP_IN_STORE",
                             near={"latitude": 45.4642, "longitude": 9.19}, limit=3)
    assert len(pickup["byNode"]) == 3 and pickup["byNode"][0]["distanceKm"] < 10
    data = await api("{ nodes { code } channels { code } routingRules { name } }")
    assert len(data["nodes"]) == 40
    assert {c["code"] for c in data["channels"]} == {"web", "app", "marketplace", "store-pickup"}
    assert len(data["routingRules"]) == 2
    [standing] = (await api("{ orderSchedules { status interval nextRunAt template } }"))[
        "orderSchedules"]  # seeded once
    assert (standing["status"], standing["interval"]) == ("ACTIVE", "MONTH")
    assert standing["template"]["lines"][0]["sku"] == "SKU-0001"
    assert standing["nextRunAt"][8:10] == "01"
    b2b = await api('{ companies { code paymentTerms creditLimit { amount } } '
                    'channel(code: "web") { returnWindowDays } }')
    assert b2b == {"companies": [
        {"code": "FERRAMENTA-ROSSI", "paymentTerms": "NET_30", "creditLimit": {"amount": "5000.00"}},
        {"code": "HOTEL-SOL", "paymentTerms": "NET_60", "creditLimit": {"amount": "20000.00"}}],
        "channel": {"returnWindowDays": 30}}
    shipping = await api("{ carriers { code services { code } } shippingRates { id } "
                         "skus(codes: [\"SKU-0030\"]) { weightKg shippingClass } }")
    assert [c["code"] for c in shipping["carriers"]] == ["COURIER", "EXPRESS", "POSTE"]
    assert len(shipping["shippingRates"]) == 15
    assert shipping["skus"][0]["shippingClass"] == "HAZMAT"
    quote = await api("query($i: PlaceOrderInput!) { shippingQuotes(input: $i) "
                      "{ service { code } price { amount } } }", {"i": {
                          "channel": "web", "customerEmail": "a@example.com",
                          "deliveryMethod": "SHIP_TO_ADDRESS",
                          "shippingAddress": {"line1": "Via Roma 1", "city": "Milano",
                                              "country": "IT"},
                          "lines": [{"sku": "SKU-0001", "quantity": 1,
                                     "unitPrice": {"amount": "10.00", "currency": "EUR"}}]}})
    assert {q["service"]["code"] for q in quote["shippingQuotes"]} == {
        "POST-STANDARD", "COURIER-24", "EXPRESS-1"}
