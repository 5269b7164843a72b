"""Webhooks through the API, to a real receiver: what is delivered (every committed event,
signed, with the contract's body and headers; nothing of work that rolled back; only the
channels an endpoint names), and how endpoints are kept (URL checks, secrets shown once,
channel-limited tokens)."""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import httpx

from oms.app import create_app
from oms.config import Settings
from oms.models import WebhookDelivery
from tests.conftest import Api, make_token
from tests.journeys import (
    cancel,
    line_id,
    place_paid,
    receive_return,
    refund_return,
    request_return,
    walk,
)
from tests.order_helpers import PLACE, order_input, rule
from tests.receiver import receiver
from tests.servers import eventually
from tests.webhook_helpers import (
    DELETE,
    ROTATE,
    UPSERT,
    all_sent,
    deliveries_of,
    endpoint,
    hooked,
    listed,
    shop,
)


async def test_every_committed_event_is_delivered_signed_as_the_contract_says(
        database: Settings, admin_token: str) -> None:
    async with shop(database, admin_token) as server, receiver() as hook:
        made = await hooked(server.api, hook)
        api = server.api
        kept = await place_paid(api, ("A", 2))
        await walk(api, kept["fulfillments"][0]["id"], "accept", "pick", "pack", "ship", "deliver")
        asked = await request_return(api, kept["id"], (line_id(kept, "A"), 1))
        await receive_return(api, asked["return"]["id"], "WH1", (line_id(kept, "A"), 1, "RESTOCK"))
        await refund_return(api, asked["return"]["id"])
        dropped = await place_paid(api, ("A", 1))
        assert (await cancel(api, dropped["id"]))["userErrors"] == []
        wanted = {"ORDER_CREATED", "ORDER_STATUS_CHANGED", "FULFILLMENT_CREATED",
                  "FULFILLMENT_SHIPPED", "FULFILLMENT_DELIVERED", "ORDER_CANCELLED",
                  "RETURN_REQUESTED", "RETURN_RECEIVED", "REFUND_ISSUED", "STOCK_CHANGED"}
        await eventually(lambda: wanted <= {a.type for a in hook.delivered()}, within=15)
        await server.settle()
        await all_sent()
        arrivals = hook.delivered()
        assert all(a.verified for a in hook.arrivals)
        for arrival in arrivals:
            assert set(arrival.body) == {"id", "type", "createdAt", "data"}
            assert arrival.headers["oms-webhook-id"] == arrival.body["id"]
            assert abs(int(arrival.headers["oms-webhook-timestamp"]) - time.time()) < 60
            assert arrival.headers["content-type"] == "application/json"
        ids = [a.event_id for a in arrivals]
        assert len(ids) == len(set(ids))
        created = [a.body["data"] for a in hook.of_type("ORDER_CREATED")]
        assert [(d["orderId"], d["orderNumber"], d["channel"]) for d in created] == [
            (kept["id"], kept["number"], "web"), (dropped["id"], dropped["number"], "web")]
        shipped = hook.of_type("FULFILLMENT_SHIPPED")[0].body["data"]
        assert shipped["orderEvent"]["data"]["trackingNumber"] == "TRK-1"
        assert shipped["orderEvent"]["data"]["fulfillmentId"] == kept["fulfillments"][0]["id"]
        fulfilled = hook.of_type("FULFILLMENT_CREATED")[0].body["data"]
        assert (fulfilled["fulfillmentId"], fulfilled["node"]) == (kept["fulfillments"][0]["id"],
                                                                   "WH1")
        changes = [(a.body["data"]["previousStatus"], a.body["data"]["status"])
                   for a in hook.of_type("ORDER_STATUS_CHANGED")
                   if a.body["data"]["orderId"] == kept["id"]]
        assert changes[:3] == [("ALLOCATED", "IN_FULFILLMENT"), ("IN_FULFILLMENT", "SHIPPED"),
                               ("SHIPPED", "DELIVERED")]
        assert hook.of_type("STOCK_CHANGED")[0].body["data"] == {"skus": ["A"]}
        log = await deliveries_of(api, made["id"], first=100)
        assert [d["eventId"] for d in log] == list(reversed(ids)), "newest first, all delivered"
        assert {(d["status"], d["attempts"], d["responseStatus"]) for d in log} == {
            ("DELIVERED", 1, 200)}
        assert all(d["nextAttemptAt"] is None and d["deliveredAt"] for d in log)


async def test_work_that_rolled_back_is_never_delivered(database: Settings,
                                                        admin_token: str) -> None:
    """placeOrder holds stock (recording a stock change) before it finds the rule allows no
    backorder: the refusal rolls all of it back, and no delivery is made of it."""
    async with shop(database, admin_token) as server, receiver() as hook:
        api = server.api
        await rule(api, allowBackorder=False)
        await hooked(api, hook, ["ORDER_CREATED", "STOCK_CHANGED", "FULFILLMENT_CREATED"])
        refused = (await api(PLACE, {"input": order_input(("A", 60))}))["placeOrder"]
        assert [e["code"] for e in refused["userErrors"]] == ["INSUFFICIENT_STOCK"]
        placed = await place_paid(api, ("A", 1))
        await hook.wait_for(3)
        await server.settle()
        await all_sent()
        assert sorted(a.type for a in hook.delivered()) == [
            "FULFILLMENT_CREATED", "ORDER_CREATED", "STOCK_CHANGED"]
        assert hook.of_type("ORDER_CREATED")[0].body["data"]["orderId"] == placed["id"]
        assert await WebhookDelivery.all().count() == 3


async def test_an_endpoint_gets_only_its_types_and_channels(database: Settings,
                                                            admin_token: str) -> None:
    async with shop(database, admin_token) as server, receiver() as web_hook, \
            receiver() as every_hook:
        api = server.api
        await hooked(api, web_hook, ["ORDER_CREATED", "STOCK_CHANGED"], channels=["web"])
        await hooked(api, every_hook, ["ORDER_CREATED"])
        on_web = await place_paid(api, ("A", 1))
        on_mkt = await place_paid(api, ("A", 1), channel_code="mkt")
        await every_hook.wait_for(2)
        await web_hook.wait_for(3)
        await server.settle()
        await all_sent()
        assert [a.body["data"]["orderId"] for a in every_hook.delivered()] == [on_web["id"],
                                                                                on_mkt["id"]]
        assert [a.body["data"]["orderId"] for a in web_hook.of_type("ORDER_CREATED")] == [
            on_web["id"]]
        assert len(web_hook.of_type("STOCK_CHANGED")) == 2, "stock belongs to no channel"
        assert {a.type for a in web_hook.delivered()} == {"ORDER_CREATED", "STOCK_CHANGED"}


async def test_the_secret_is_shown_on_creation_and_rotation_only(database: Settings,
                                                                 admin_token: str) -> None:
    async with shop(database, admin_token) as server, receiver() as hook:
        api = server.api
        made = await endpoint(api, hook.url, ["ORDER_CREATED"])
        assert made["secret"].startswith("whsec_") and len(made["secret"]) > 40
        changed = (await api(UPSERT, {"input": {"id": made["endpoint"]["id"], "url": hook.url,
                                                "events": ["ORDER_CREATED"]}}))
        assert changed["upsertWebhookEndpoint"]["secret"] is None
        rotated = (await api(ROTATE, {"id": made["endpoint"]["id"]}))["rotateWebhookSecret"]
        assert rotated["secret"] not in (None, made["secret"])
        hook.secrets.append(rotated["secret"])  # only the new one
        await place_paid(api, ("A", 1))
        (arrival,) = await hook.wait_for(1)
        assert arrival.verified
        audit = await api('{ auditLog(filter: {action: "rotateWebhookSecret"}) { details } }')
        assert "whsec_" not in str(audit)
        gone = (await api(DELETE, {"id": made["endpoint"]["id"]}))["deleteWebhookEndpoint"]
        assert gone["userErrors"] == [] and await listed(api) == []


REFUSED_URLS = [
    ("ftp://example.com/hook", "INVALID_URL"),
    ("example.com/hook", "INVALID_URL"),
    ("http:///hook", "INVALID_URL"),
    ("https://user:pw@example.com/hook", "INVALID_URL"),
    ("http://127.0.0.1:8080/hook", "PRIVATE_DESTINATION"),
    ("http://localhost/hook", "PRIVATE_DESTINATION"),
    ("http://10.1.2.3/hook", "PRIVATE_DESTINATION"),
    ("http://192.168.0.10/hook", "PRIVATE_DESTINATION"),
    ("http://169.254.169.254/latest/meta-data", "PRIVATE_DESTINATION"),
    ("http://[::1]/hook", "PRIVATE_DESTINATION"),
    ("http://[::ffff:127.0.0.1]/hook", "PRIVATE_DESTINATION"),
]


async def test_urls_that_are_not_http_or_point_inward_are_refused(database: Settings,
                                                                  admin_token: str) -> None:
    strict = create_app(replace(database, webhook_allow_private=False), manage_db=False)
    async with strict.router.lifespan_context(strict), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=strict), base_url="http://oms.test") as client:
        api = Api(client, admin_token)
        for url, code in REFUSED_URLS:
            body = (await api(UPSERT, {"input": {"url": url, "events": ["ORDER_CREATED"]}}))
            payload = body["upsertWebhookEndpoint"]
            assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, ["url"])], url
            assert payload["endpoint"] is None and payload["secret"] is None
        assert await listed(api) == []
        public = await endpoint(api, "https://93.184.215.14/hook", ["ORDER_CREATED"])
        assert public["endpoint"]["url"] == "https://93.184.215.14/hook"
        nothing = (await api(UPSERT, {"input": {"url": "https://93.184.215.14/", "events": []}}))
        assert [e["code"] for e in nothing["upsertWebhookEndpoint"]["userErrors"]] == [
            "INVALID_INPUT"]


async def test_private_destinations_are_an_opt_in(database: Settings, api: Api) -> None:
    made = await endpoint(api, "http://127.0.0.1:9/hook", ["ORDER_CREATED"])
    assert made["endpoint"]["active"] is True


async def test_a_channel_limited_token_keeps_endpoints_within_its_channels(
        database: Settings, api: Api) -> None:
    from tests.helpers import channel

    for code in ("web", "mkt"):
        await channel(api, code)
    everywhere = await endpoint(api, "http://127.0.0.1:9/all", ["ORDER_CREATED"])
    partner = api.as_(await make_token(["webhooks:write"], channels=["web"]))

    def refusals(body: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
        return [(e["code"], e["field"]) for e in body["upsertWebhookEndpoint"]["userErrors"]]

    base = {"url": "http://127.0.0.1:9/web", "events": ["ORDER_CREATED"]}
    assert refusals(await partner(UPSERT, {"input": base})) == [("INVALID_INPUT", ["channels"])]
    assert refusals(await partner(UPSERT, {"input": {**base, "channels": ["mkt"]}})) == [
        ("UNKNOWN_CHANNEL", ["channels", "0"])]
    own = await endpoint(partner, base["url"], ["ORDER_CREATED"], channels=["web"])
    assert [e["id"] for e in await listed(partner)] == [own["endpoint"]["id"]]
    for document, key in ((DELETE, "deleteWebhookEndpoint"), (ROTATE, "rotateWebhookSecret")):
        body = (await partner(document, {"id": everywhere["endpoint"]["id"]}))[key]
        assert [(e["code"], e["field"]) for e in body["userErrors"]] == [("NOT_FOUND", ["id"])]
    assert {e["id"] for e in await listed(api)} == {everywhere["endpoint"]["id"],
                                                    own["endpoint"]["id"]}
