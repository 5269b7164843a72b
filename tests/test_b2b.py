"""B2B accounts through GraphQL: companies on payment terms order without a payment within
their credit limit (held atomically), pay later with recordPayment, and reorder."""
from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import make_token
from tests.journeys import cancel, codes, ok, place_paid, walk
from tests.order_helpers import network, order_input, stock
from tests.servers import live_server, ws_session
from tests.test_documents import documents, pdf_text

COMPANY_FIELDS = "code name vatNumber paymentTerms creditLimit { amount currency } " \
                 "creditUsed { amount currency } channels"
UPSERT = """mutation($input: CompanyInput!) { upsertCompany(input: $input) {
  company { @ } userErrors { code message field } } }""".replace("@", COMPANY_FIELDS)
COMPANY = "query($code: String!) { company(code: $code) { @ } }".replace("@", COMPANY_FIELDS)
COMPANIES = "{ companies { code } }"
B2B_ORDER = """id number status paymentStatus total { amount } purchaseOrderNumber placedBy
  company { code } lines { sku quantity unitPrice { amount } }"""
PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { @ } userErrors { code message field } } }""".replace("@", B2B_ORDER)
PAY = """mutation($id: ID!, $amount: MoneyInput!, $ref: String!) {
  recordPayment(orderId: $id, amount: $amount, reference: $ref) {
  order { @ } userErrors { code message field } } }""".replace("@", B2B_ORDER)
REORDER = """mutation($id: ID!, $key: String) { reorder(orderId: $id, idempotencyKey: $key) {
  order { @ } userErrors { code message field } } }""".replace("@", B2B_ORDER)
ORDERS = "{ orders(first: 20) { edges { node { number company { code } } } } }"
FEED = "subscription { orderEvents { event { type } order { number } } }"
ACME = {"code": "ACME", "name": "Acme S.p.A.", "vatNumber": "it 01234567890",
        "paymentTerms": "NET_30", "creditLimit": {"amount": "100.00", "currency": "EUR"},
        "channels": ["web"]}


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


async def company(api: Any, **fields: Any) -> dict[str, Any]:
    made = (await api(UPSERT, {"input": {**ACME, **fields}}))["upsertCompany"]
    assert made["userErrors"] == [], made
    return made["company"]


async def credit_used(api: Any, code: str = "ACME") -> str:
    return (await api(COMPANY, {"code": code}))["company"]["creditUsed"]["amount"]


async def on_account(api: Any, units: int, **extra: Any) -> dict[str, Any]:
    """Place A x units at 10.00 for ACME; returns the payload."""
    body = order_input(("A", units), companyCode="ACME", **extra)
    return (await api(PLACE, {"input": body}))["placeOrder"]


async def b2b_world(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 100))
    await company(api)


async def test_a_company_is_kept_as_given_and_bad_input_is_refused(api: Any) -> None:
    await network(api)
    assert await company(api) == {
        "code": "ACME", "name": "Acme S.p.A.", "vatNumber": "IT01234567890",
        "paymentTerms": "NET_30", "creditLimit": eur("100.00"), "creditUsed": eur("0.00"),
        "channels": ["web"]}
    assert (await company(api, paymentTerms="NET_60", creditLimit=None))["creditLimit"] is None
    assert (await api(COMPANIES))["companies"] == [{"code": "ACME"}]
    bad = (await api(UPSERT, {"input": {"code": "bad code", "name": " ", "channels": ["nope"],
                                        "creditLimit": eur("-1")}}))["upsertCompany"]
    assert bad["company"] is None
    assert sorted((e["code"], tuple(e["field"])) for e in bad["userErrors"]) == [
        ("INVALID_INPUT", ("code",)), ("INVALID_INPUT", ("creditLimit", "amount")),
        ("INVALID_INPUT", ("name",)), ("UNKNOWN_CHANNEL", ("channels", "0"))]
    assert (await api(COMPANY, {"code": "bad code"}))["company"] is None


async def test_orders_on_terms_hold_credit_until_paid_and_beyond_it_are_refused(api: Any) -> None:
    await b2b_world(api)
    rep = await make_token(["orders:write"], name="Rep Rossi")
    first = await ok(await on_account(api.as_(rep), 6, purchaseOrderNumber="PO-77"))
    order = first["order"]
    assert (order["paymentStatus"], order["status"], order["total"]) == (
        "PENDING", "ALLOCATED", {"amount": "60.00"})
    assert (order["company"], order["purchaseOrderNumber"], order["placedBy"]) == (
        {"code": "ACME"}, "PO-77", "Rep Rossi")
    assert await credit_used(api) == "60.00"

    over = await on_account(api, 5)
    assert over["order"] is None
    assert [(e["code"], e["field"]) for e in over["userErrors"]] == [
        ("CREDIT_LIMIT_EXCEEDED", ["companyCode"])]
    assert "40.00 EUR of credit left" in over["userErrors"][0]["message"]
    assert await credit_used(api) == "60.00"
    assert len((await api(ORDERS))["orders"]["edges"]) == 1

    paid = (await ok((await api(PAY, {"id": order["id"], "amount": eur("50.00"),
                                      "ref": "SEPA-1"}))["recordPayment"]))["order"]
    assert paid["paymentStatus"] == "CAPTURED"
    assert await credit_used(api) == "10.00"
    too_much = (await api(PAY, {"id": order["id"], "amount": eur("10.01"),
                                "ref": "SEPA-2"}))["recordPayment"]
    assert [(e["code"], e["field"]) for e in too_much["userErrors"]] == [
        ("INVALID_INPUT", ["amount", "amount"])]
    assert (await ok(await on_account(api, 9)))["order"]["company"] == {"code": "ACME"}
    assert await credit_used(api) == "100.00"


async def test_terms_refuse_a_payment_and_prepaid_or_plain_orders_hold_no_credit(api: Any) -> None:
    await b2b_world(api)
    await company(api, code="PRE", paymentTerms="PREPAID", creditLimit=eur("1.00"))
    payment = {"reference": "psp-1", "amount": eur("20.00")}
    refused = await on_account(api, 2, payment=payment)
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("INVALID_INPUT", ["payment"])]
    prepaid = await place_paid(api, ("A", 2), companyCode="PRE", purchaseOrderNumber="PO-1")
    assert prepaid["paymentStatus"] == "AUTHORIZED"
    assert await credit_used(api, "PRE") == "0.00"
    plain = await place_paid(api, ("A", 1))
    not_on_account = (await api(PAY, {"id": plain["id"], "amount": eur("10.00"),
                                      "ref": "x"}))["recordPayment"]
    assert codes(not_on_account) == ["INVALID_INPUT"]
    unknown = (await api(PLACE, {"input": order_input(("A", 1), companyCode="NOPE",
                                                      purchaseOrderNumber="PO-2")}))
    assert [(e["code"], e["field"]) for e in unknown["placeOrder"]["userErrors"]] == [
        ("NOT_FOUND", ["companyCode"])]
    no_company = (await api(PLACE, {"input": order_input(("A", 1), purchaseOrderNumber="PO-3")}))
    assert codes(no_company["placeOrder"]) == ["INVALID_INPUT"]


async def test_cancelling_an_order_on_account_gives_its_unpaid_credit_back(api: Any) -> None:
    await b2b_world(api)
    order = (await ok(await on_account(api, 8)))["order"]
    await ok((await api(PAY, {"id": order["id"], "amount": eur("30.00"),
                              "ref": "SEPA-1"}))["recordPayment"])
    assert await credit_used(api) == "50.00"
    await ok(await cancel(api, order["id"]))
    assert await credit_used(api) == "0.00"


async def test_a_company_token_orders_and_sees_for_its_company_only(api: Any) -> None:
    await b2b_world(api)
    await company(api, code="BETA", name="Beta S.L.", creditLimit=None)
    portal = await make_token(["orders:write", "orders:read"], name="Acme portal",
                              company_code="ACME")
    mine = await api.as_(portal)(PLACE, {"input": order_input(("A", 1))})
    assert mine["placeOrder"]["order"]["company"] == {"code": "ACME"}
    other = await api.as_(portal)(PLACE, {"input": order_input(("A", 1), companyCode="BETA")})
    assert codes(other["placeOrder"]) == ["NOT_FOUND"]
    beta = (await ok((await api(PLACE, {"input": order_input(("A", 1), companyCode="BETA")}))[
        "placeOrder"]))["order"]
    await place_paid(api, ("A", 1))
    seen = (await api.as_(portal)(ORDERS))["orders"]["edges"]
    assert [e["node"]["company"] for e in seen] == [{"code": "ACME"}]
    assert (await api.as_(portal)(COMPANIES))["companies"] == [{"code": "ACME"}]
    assert (await api.as_(portal)(COMPANY, {"code": "BETA"}))["company"] is None
    assert codes((await api.as_(portal)(REORDER, {"id": beta["id"]}))["reorder"]) == ["NOT_FOUND"]
    made = await api(
        """mutation { createApiToken(input: {name: "x", scopes: ["orders:write"],
        companyCode: "NOPE"}) { userErrors { code field } } }""")
    assert made["createApiToken"]["userErrors"] == [{"code": "NOT_FOUND", "field": ["companyCode"]}]


async def test_reorder_places_the_same_lines_once_per_idempotency_key(api: Any) -> None:
    await b2b_world(api)
    first = (await ok(await on_account(api, 3, purchaseOrderNumber="PO-9")))["order"]
    again = (await ok((await api(REORDER, {"id": first["id"], "key": "re-1"}))["reorder"]))["order"]
    assert again["id"] != first["id"]
    assert again["lines"] == first["lines"] and again["company"] == {"code": "ACME"}
    assert again["purchaseOrderNumber"] is None
    retried = (await ok((await api(REORDER, {"id": first["id"], "key": "re-1"}))["reorder"]))
    assert retried["order"]["id"] == again["id"]
    assert await credit_used(api) == "60.00"
    plain = await place_paid(api, ("A", 1))
    reused = (await api(REORDER, {"id": plain["id"], "key": "re-1"}))["reorder"]
    assert codes(reused) == ["IDEMPOTENCY_KEY_REUSED"]
    assert codes((await api(REORDER, {"id": first["number"]}))["reorder"]) == ["NOT_FOUND"]


async def test_concurrent_orders_never_pass_the_credit_limit_together(api: Any) -> None:
    """Twenty orders of 30.00, each of its own SKU (no stock row in common), race for a limit
    of 100.00: three pass (on PostgreSQL the company row lock serialises the holds; SQLite
    runs one transaction at a time)."""
    await b2b_world(api)
    await stock(api, *[(f"S{i}", "MIL", 5) for i in range(20)])
    bodies = await asyncio.gather(*[
        api.raw(PLACE, {"input": order_input((f"S{i}", 3), companyCode="ACME")})
        for i in range(20)])
    assert all(not b.get("errors") for b in bodies), bodies
    payloads = [b["data"]["placeOrder"] for b in bodies]
    placed = [p for p in payloads if p["order"] is not None]
    assert len(placed) == 3
    assert all(codes(p) == ["CREDIT_LIMIT_EXCEEDED"] for p in payloads if p["order"] is None)
    assert await credit_used(api) == "90.00"
    assert len((await api(ORDERS))["orders"]["edges"]) == 3


async def test_a_company_token_s_order_feed_carries_its_company_s_orders_only(
        database: Any, admin_token: str) -> None:
    async with live_server(database, admin_token) as server:
        api = server.api
        await b2b_world(api)
        portal = await make_token(["orders:read"], name="Acme portal", company_code="ACME")
        await server.settle()
        before = server.hub.feed_count()
        async with ws_session(server.ws_url, portal) as ws:
            feed = ws.subscribe(FEED)
            await server.wait_for_feeds(before + 1)
            await place_paid(api, ("A", 1))
            mine = (await ok(await on_account(api, 1)))["order"]["number"]
            seen = {item["orderEvents"]["order"]["number"] for item in await feed.drain(1.0)}
        assert seen == {mine}


async def test_a_company_invoice_names_the_buyers_vat_number(api: Any) -> None:
    await b2b_world(api)
    placed = await on_account(api, 2)
    assert placed["userErrors"] == [], placed
    parcels = "query($id: ID!) { order(id: $id) { fulfillments { id } } }"
    (parcel,) = (await api(parcels, {"id": placed["order"]["id"]}))["order"]["fulfillments"]
    await walk(api, parcel["id"], "accept", "pick", "pack", "ship")
    found = (await documents(api, placed["order"]["id"]))["documents"]
    (invoice,) = [d for d in found if d["kind"] == "INVOICE"]
    text = await pdf_text(api, invoice["url"])
    assert "Buyer VAT number: IT01234567890" in text, text
