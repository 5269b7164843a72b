"""The dataset and the clients of the authorization matrix (tests/test_authorization_matrix.py).

`seed` makes, through the API as admin: nodes WH1 (warehouse) and ST1 (a store that does not
ship), channels web and mkt (mkt never sees ST1), and three web orders of customer cust-1
sourced at WH1: `open`, `work` (for node work) and `done` (delivered, one unit asked back:
return `rma`), a cart hold on web, inactive routing rules for web (they source nothing):
`web_rule`, and `doomed`, `doomed_admin` to be deleted, webhook endpoints for web's orders
(`web_hook`, with a delivery `web_delivery`, and `doomed_hook`, `doomed_hook_admin` to be
deleted), a monthly schedule on web far in the future (`web_schedule`), two tokens limited
to web and WH1:
`till` (named TILL) and `spare_till` to be revoked, company ACME buying through web, and
reorder policies for A at WH1 and
ST1 above their stock (both low). `World` makes tokens once per kind and
runs operations as them over HTTP or graphql-transport-ws.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import websockets

from oms.scopes import Scope
from tests.conftest import make_token
from tests.helpers import UPSERT_CHANNEL, UPSERT_NODE, stock
from tests.journeys import line_id, place_paid, request_return, walk
from tests.order_helpers import order_input
from tests.servers import LiveServer, eventually

WH1 = {"code": "WH1", "name": "Milan DC", "type": "WAREHOUSE",
       "location": {"latitude": 45.46, "longitude": 9.19}}
ST1 = {"code": "ST1", "name": "Bergamo store", "type": "STORE", "canShip": False,
       "canPickup": True, "location": {"latitude": 45.70, "longitude": 9.67}}
WEB = {"code": "web", "name": "web", "type": "WEB", "currency": "EUR"}
MKT = {"code": "mkt", "name": "mkt", "type": "MARKETPLACE", "currency": "EUR",
       "excludedNodeCodes": ["ST1"]}
WEB_RULE = """mutation($name: String!) { upsertRoutingRule(input: {name: $name, rank: 90,
  active: false, channels: ["web"]}) { rule { id } userErrors { code } } }"""
TILL = "web till at WH1"
TOKEN = """mutation($name: String!) { createApiToken(input: {name: $name,
  scopes: ["fulfillment:write"], channels: ["web"], nodes: ["WH1"]}) {
  token { id } userErrors { code } } }"""
HOOK = """mutation($name: String!) { upsertWebhookEndpoint(input: {url: $name,
  events: [ORDER_CREATED], channels: ["web"]}) { endpoint { id } userErrors { code } } }"""
"An endpoint for web's orders, at a port nobody listens on (its deliveries are retried)."
DELIVERIES = "{ webhookEndpoints { id deliveries { id } } }"
SEEDED_POLICY = {"sku": "A", "nodeCode": "WH1", "reorderPoint": 1000, "targetLevel": 2000}
"A's policies at WH1 and ST1 (above their stock: both low, both to reorder)."
POLICIES = """mutation($p: [ReorderPolicyInput!]!) { setReorderPolicies(policies: $p) {
  userErrors { code } } }"""
COMPANY = {"code": "ACME", "name": "Acme", "paymentTerms": "NET_30", "channels": ["web"]}
"A company buying through web (what the company rows read and rewrite)."
UPSERT_COMPANY = """mutation($input: CompanyInput!) { upsertCompany(input: $input) {
  userErrors { code } } }"""
HOLD = """mutation { reserve(input: {channel: "web", lines: [{sku: "A", quantity: 1}]}) {
  reservation { id } userErrors { code } } }"""

SCHEDULE = {"interval": "MONTH", "startAt": "2099-01-01T00:00:00Z"}
"A monthly schedule whose first run is far away (it places nothing while the matrix runs)."
SCHEDULE_MADE = """mutation($input: OrderScheduleInput!) { createOrderSchedule(input: $input) {
  schedule { id } userErrors { code } } }"""

STARTED = "started"
"A subscription the server's hub serves: it was allowed."
SOCKET_REFUSED = "closed 4403"
"A websocket without a valid token is closed at connection_init."


async def seed(api: Any) -> dict[str, str]:
    """The dataset above; returns its ids by name (what the matrix's '@name' values mean)."""
    for node in (WH1, ST1):
        assert (await api(UPSERT_NODE, {"input": node}))["upsertNode"]["userErrors"] == []
    for channel in (WEB, MKT):
        assert (await api(UPSERT_CHANNEL, {"input": channel}))["upsertChannel"]["userErrors"] == []
    await stock(api, ("A", "WH1", 100), ("A", "ST1", 50), ("Z", "WH1", 5))
    assert (await api(UPSERT_COMPANY, {"input": COMPANY}))["upsertCompany"]["userErrors"] == []
    hooks = {}
    for name in ("web_hook", "doomed_hook", "doomed_hook_admin"):
        made = (await api(HOOK, {"name": f"http://127.0.0.1:9/{name}"}))["upsertWebhookEndpoint"]
        assert made["userErrors"] == []
        hooks[name] = made["endpoint"]["id"]
    open_, work, done = [await place_paid(api, ("A", 1), customerRef="cust-1") for _ in range(3)]
    assert {o["fulfillments"][0]["node"]["code"] for o in (open_, work, done)} == {"WH1"}
    await walk(api, done["fulfillments"][0]["id"], "accept", "pick", "pack", "ship", "deliver")
    asked = await request_return(api, done["id"], (line_id(done, "A"), 1))
    papers = await api("query($id: ID!) { order(id: $id) { documents { id number } } }", {"id": done["id"]})
    hold = (await api(HOLD))["reserve"]
    assert asked["userErrors"] == hold["userErrors"] == []
    at_store = {**SEEDED_POLICY, "nodeCode": "ST1"}
    assert (await api(POLICIES, {"p": [SEEDED_POLICY, at_store]}))["setReorderPolicies"] == {
        "userErrors": []}
    rules = {}
    for name in ("web_rule", "doomed", "doomed_admin"):
        made = (await api(WEB_RULE, {"name": name}))["upsertRoutingRule"]
        assert made["userErrors"] == []
        rules[name] = made["rule"]["id"]
    tokens = {}
    for key, name in (("till", TILL), ("spare_till", f"spare {TILL}")):
        made = (await api(TOKEN, {"name": name}))["createApiToken"]
        assert made["userErrors"] == []
        tokens[key] = made["token"]["id"]
    hooks["web_delivery"] = await _first_delivery(api, hooks["web_hook"])
    made = (await api(SCHEDULE_MADE, {"input": {**SCHEDULE, "template": order_input(("A", 1))}}))
    assert made["createOrderSchedule"]["userErrors"] == []
    hooks["web_schedule"] = made["createOrderSchedule"]["schedule"]["id"]
    return {**rules, **tokens, **hooks, "open": open_["id"], "open_number": open_["number"],
            "done": done["id"], "done_line": line_id(done, "A"),
            "work_fulfillment": work["fulfillments"][0]["id"],
            "rma": asked["return"]["id"], "rma_number": asked["return"]["number"],
            "hold": hold["reservation"]["id"], "document": papers["order"]["documents"][0]["id"],
            "document_number": papers["order"]["documents"][0]["number"]}


async def _first_delivery(api: Any, endpoint_id: str) -> str:
    """The id of a delivery made to the endpoint (of the orders just placed)."""
    found: list[str] = []

    async def made() -> bool:
        endpoints = (await api(DELIVERIES))["webhookEndpoints"]
        found[:] = [d["id"] for e in endpoints if e["id"] == endpoint_id for d in e["deliveries"]]
        return bool(found)

    await eventually(made)
    return found[0]


@dataclass
class World:
    """The served app, the seeded data's ids, and tokens made once per kind."""

    server: LiveServer
    ids: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)

    async def token(self, scope: str, **limits: Any) -> str:
        """A token with `scope` only, and `limits`; a customer token is cust-1's unless told."""
        if scope == Scope.ORDERS_READ_OWN:
            limits.setdefault("customer_ref", "cust-1")
        key = json.dumps([scope, limits], sort_keys=True)
        if key not in self.tokens:
            self.tokens[key] = await make_token([scope], name=f"matrix {scope}", **limits)
        return self.tokens[key]

    def resolve(self, value: Any) -> Any:
        """`value` with every '@name' replaced by the seeded id of that name."""
        if isinstance(value, str) and value.startswith("@"):
            return self.ids[value[1:]]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    async def http(self, document: str, token: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The response body of `document` run as `token` ("": none)."""
        return await self.server.api.raw(document, variables, token=token)

    async def subscribe(self, document: str, token: str, variables: dict[str, Any]) -> str:
        """STARTED once the hub serves the subscription, else the refusal's codes, or
        SOCKET_REFUSED. The subscription has ended when this returns."""
        hub = self.server.hub
        async with websockets.connect(self.server.ws_url,
                                      subprotocols=["graphql-transport-ws"]) as ws:
            auth = {"Authorization": f"Bearer {token}"} if token else {}
            await ws.send(json.dumps({"type": "connection_init", "payload": auth}))
            try:
                ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
            except websockets.ConnectionClosed:
                return f"closed {ws.close_code}"
            assert ack["type"] == "connection_ack", ack
            before = hub.feed_count()
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
                "query": document, "variables": variables}}))
            outcome = await first_outcome(ws, lambda: hub.feed_count() > before)
        await eventually(lambda: hub.feed_count() == before)
        return outcome


async def first_outcome(ws: Any, serving: Callable[[], bool]) -> str:
    """STARTED once `serving()`, or the codes of the first error or errored result."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if serving():
            return STARTED
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), 0.02))
        except TimeoutError:
            continue
        if message["type"] == "error":
            return codes_of(message["payload"])
        if message["type"] == "next":
            return codes_of(message["payload"].get("errors")) or STARTED
    raise AssertionError("the subscription neither started nor was refused within 5 s")


def codes_of(errors: list[dict[str, Any]] | None) -> str:
    """The errors' codes, sorted and comma-separated ("" for none)."""
    return ",".join(sorted({e.get("extensions", {}).get("code", "?") for e in errors or []}))


def refusals(body: dict[str, Any], field_name: str) -> set[tuple[str, tuple[str, ...] | None]]:
    """(code, None) per GraphQL error; (code, field) per userError of the payload."""
    found = {(e.get("extensions", {}).get("code", "?"), None) for e in body.get("errors") or []}
    payload = (body.get("data") or {}).get(field_name)
    if isinstance(payload, dict):
        found |= {(e["code"], tuple(e["field"]) if e["field"] else None)
                  for e in payload.get("userErrors", [])}
    return found
