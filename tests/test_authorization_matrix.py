"""The authorization matrix: every root field of Query, Mutation and Subscription, who may
call it, and which token limits apply, written out here independently of the code.

Every cell (field x scope, and no token at all) is checked with a real token over HTTP or
graphql-transport-ws; every limit a row claims is checked with a token of an allowed scope
limited elsewhere (it must get the non-disclosing refusal and see nothing) and one limited
to the data (it must get past the limit), and again with an admin token limited the same
way: a token's limits bind every token, admin included. A field that tells of everything (the
audit log) refuses a token limited at all, even one limited to the data. A root field missing
from the table fails.

One dataset (tests/matrix_world.py) serves the whole module. The scope cells' mutations
name unknown ids or write what is already there, so they change nothing another cell reads;
the limit cases use the seeded ids, and a token within the limits may then change state
(accept the fulfillment, receive the return): later cases only ask that it is not refused.
"""
from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from oms.scopes import Scope
from tests.conftest import empty_tables, make_token
from tests.journeys import place_paid
from tests.matrix_world import (
    COMPANY,
    SCHEDULE,
    SEEDED_POLICY,
    SOCKET_REFUSED,
    STARTED,
    TILL,
    WEB,
    WH1,
    World,
    codes_of,
    refusals,
    seed,
)
from tests.order_helpers import order_input
from tests.servers import live_server, ws_session

ANY = "*"
"Any valid token, whatever its scope."
NOWHERE = str(uuid.uuid4())
"An id nothing has: mutations of the scope cells are refused by the domain, changing nothing."

FULFILLMENT = "mutation($id: ID!) { %s(fulfillmentId: $id) { userErrors { code field } } }"
AROUND_NOW = {"from": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
              "to": (datetime.now(UTC) + timedelta(days=1)).isoformat()}
"A window holding the seeded orders."


@dataclass(frozen=True)
class Row:
    root: str
    field: str
    scopes: str
    "Space-separated scopes that may call the field (ANY: every token)."
    limits: str
    "Which token limits apply: channel, node, own (a customer token sees its own orders)."
    document: str
    variables: dict[str, Any] = field(default_factory=dict)
    "Values '@name' are the seeded world's ids."

    @property
    def name(self) -> str:
        return f"{self.root}.{self.field}"

    def allows(self, scope: str | None) -> bool:
        return scope is not None and (self.scopes == ANY or scope in self.scopes.split())


MATRIX = [
    # The catalog's nodes are no secret to any token; channels outside its limits are.
    Row("Query", "nodes", ANY, "", "{ nodes { code } }"),
    Row("Query", "node", ANY, "", "query($code: String!) { node(code: $code) { code } }",
        {"code": "WH1"}),
    Row("Query", "channels", ANY, "channel", "{ channels { code } }"),
    Row("Query", "channel", ANY, "channel",
        "query($code: String!) { channel(code: $code) { code } }", {"code": "web"}),
    Row("Query", "availability", "admin availability:read orders:read orders:write", "channel",
        'query($c: String!) { availability(channel: $c, skus: ["A"]) { sku available } }',
        {"c": "web"}),
    Row("Query", "inventory", "admin inventory:write fulfillment:write orders:read", "channel node",
        '{ inventory(sku: "A") { node { code } onHand } }'),
    # A limited admin sees the tokens at most as wide as itself, and no audit log.
    Row("Query", "apiTokens", "admin", "channel node", "{ apiTokens { name } }"),
    Row("Query", "auditLog", "admin", "channel node", "{ auditLog(first: 1) { action } }"),
    Row("Query", "order", "admin orders:read orders:read:own orders:write", "channel own",
        "query($id: ID!) { order(id: $id) { number } }", {"id": "@open"}),
    Row("Query", "orders", "admin orders:read orders:read:own orders:write", "channel own",
        "{ orders(first: 10) { edges { node { number } } } }"),
    # A channel-limited token reads the rules for its channels and for every channel, and
    # writes rules within its channels only.
    Row("Query", "routingRules", "admin routing:write orders:read orders:write", "channel",
        "{ routingRules { id } }"),
    # A version reads like its rule: a channel-limited token reads those of its channels.
    Row("Query", "routingRuleVersion", "admin routing:write orders:read orders:write", "channel",
        "query($id: ID!) { routingRuleVersion(id: $id, version: 1) { version rule { id } } }",
        {"id": "@web_rule"}),
    Row("Query", "simulateSourcing", "admin orders:write routing:write", "channel",
        "query($input: PlaceOrderInput!) { simulateSourcing(input: $input) "
        "{ allocations { sku quantity } } }", {"input": order_input(("A", 1))}),
    # What-if replays read past orders of the token's channels: no customer token.
    Row("Query", "replaySourcing", "admin routing:write orders:read orders:write", "channel",
        "query($c: String, $from: DateTime!, $to: DateTime!) { replaySourcing(input: "
        "{from: $from, to: $to, channel: $c}) { ordersInWindow actual { nodeLoad { node { code } "
        "} } } }", {"c": "web", **AROUND_NOW}),
    Row("Query", "sourcingDecision", "admin orders:read orders:write routing:write", "channel",
        "query($id: ID!) { sourcingDecision(orderId: $id) { allocations { node { code } } } }",
        {"id": "@open"}),
    Row("Query", "document", "admin orders:read orders:read:own orders:write", "channel own",
        "query($id: ID!) { document(id: $id) { number } }", {"id": "@document"}),
    Row("Query", "return", "admin returns:write orders:read orders:read:own orders:write",
        "channel own", "query($id: ID!) { return(id: $id) { number } }", {"id": "@rma"}),
    # KPIs over orders of many customers: no customer token; node limits narrow node loads.
    Row("Query", "orderMetrics", "admin orders:read orders:write", "channel node",
        "query($c: String, $from: DateTime!, $to: DateTime!) { orderMetrics(from: $from, "
        "to: $to, channel: $c) { orders nodes { node { code } } } }", {"c": "web", **AROUND_NOW}),
    # Stock planning reads what `inventory` reads: the positions of the nodes a token sees.
    Row("Query", "reorderPolicies", "admin inventory:write fulfillment:write orders:read",
        "channel node", "{ reorderPolicies { sku node { code } } }"),
    Row("Query", "lowStock", "admin inventory:write fulfillment:write orders:read",
        "channel node", "{ lowStock { sku node { code } available } }"),
    Row("Query", "replenishmentSuggestions", "admin inventory:write fulfillment:write orders:read",
        "channel node", "{ replenishmentSuggestions { sku node { code } suggestedQuantity } }"),
    # Expired cart holds with customers' e-mails: the back office and storefronts, no customer.
    Row("Query", "abandonedCarts", "admin orders:read orders:write", "channel",
        "query($c: String) { abandonedCarts(channel: $c) { channel units } }", {"c": "web"}),

    # Recurring orders: who may place orders manages them; no customer token.
    Row("Query", "orderSchedules", "admin orders:read orders:write", "channel",
        "{ orderSchedules { id status } }"),
    # B2B accounts: a channel-limited token sees the companies buying through its channels.
    *(Row("Query", name, "admin orders:read orders:write", "channel", document, variables)
      for name, document, variables in (
          ("companies", "{ companies { code } }", {}),
          ("company", "query($code: String!) { company(code: $code) { code } }",
           {"code": "ACME"}))),
    # Shipping: SKU attributes for whoever handles stock or orders; carriers and rates are no
    # secret; quotes are a dry run of placeOrder.
    Row("Query", "skus", "admin availability:read orders:read orders:write inventory:write "
        "fulfillment:write", "", "query($c: [String!]!) { skus(codes: $c) { sku } }",
        {"c": ["A"]}),
    Row("Query", "carriers", ANY, "", "{ carriers { code } }"),
    Row("Query", "shippingRates", ANY, "", "{ shippingRates { id } }"),
    Row("Query", "shippingQuotes", "admin orders:write routing:write", "channel",
        "query($input: PlaceOrderInput!) { shippingQuotes(input: $input) { parcels } }",
        {"input": order_input(("A", 1))}),

    # Endpoints, their secrets and logs: a channel-limited token keeps those within its channels.
    Row("Query", "webhookEndpoints", "admin webhooks:write", "channel", "{ webhookEndpoints { id } }"),

    Row("Mutation", "upsertNode", "admin", "node",
        "mutation($input: NodeInput!) { upsertNode(input: $input) "
        "{ userErrors { code field } } }", {"input": WH1}),
    Row("Mutation", "upsertChannel", "admin", "channel",
        "mutation($input: ChannelInput!) { upsertChannel(input: $input) "
        "{ userErrors { code field } } }", {"input": WEB}),
    Row("Mutation", "syncInventory", "admin inventory:write", "node",
        "mutation($records: [InventoryRecordInput!]!) { syncInventory(records: $records) "
        "{ userErrors { code field } } }",
        {"records": [{"sku": "Z", "nodeCode": "WH1", "onHand": 5}]}),
    Row("Mutation", "adjustInventory", "admin inventory:write", "node",
        "mutation($a: [InventoryAdjustmentInput!]!) { adjustInventory(adjustments: $a) "
        "{ userErrors { code field } } }", {"a": [{"sku": "Z", "nodeCode": "WH1", "delta": 1}]}),
    Row("Mutation", "setReorderPolicies", "admin inventory:write", "node",
        "mutation($p: [ReorderPolicyInput!]!) { setReorderPolicies(policies: $p) "
        "{ userErrors { code field } } }", {"p": [SEEDED_POLICY]}),
    Row("Mutation", "upsertSkus", "admin inventory:write", "",
        "mutation($s: [SkuInput!]!) { upsertSkus(input: $s) { userErrors { code field } } }",
        {"s": [{"sku": "A"}]}),
    Row("Mutation", "upsertCarrier", "admin routing:write", "",
        "mutation($c: CarrierInput!) { upsertCarrier(input: $c) { userErrors { code field } } }",
        {"c": {"code": "no such code!", "name": "x", "services": []}}),
    Row("Mutation", "setShippingRates", "admin routing:write", "",
        "mutation($r: [ShippingRateInput!]!) { setShippingRates(rates: $r) "
        "{ userErrors { code field } } }",
        {"r": [{"serviceCode": "NOWHERE", "maxWeightKg": 1,
                "price": {"amount": "1.00", "currency": "EUR"}}]}),
    Row("Mutation", "createApiToken", "admin", "channel node",
        "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) "
        "{ userErrors { code field } } }",
        {"input": {"name": "made", "scopes": ["availability:read"]}}),
    Row("Mutation", "revokeApiToken", "admin", "channel node",
        "mutation($id: ID!) { revokeApiToken(id: $id) { userErrors { code field } } }", {"id": NOWHERE}),
    Row("Mutation", "placeOrder", "admin orders:write", "channel",
        "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) "
        "{ order { number } userErrors { code field } } }",
        {"input": order_input(("A", 1), idempotencyKey="matrix")}),
    Row("Mutation", "createOrderSchedule", "admin orders:write", "channel",
        "mutation($input: OrderScheduleInput!) { createOrderSchedule(input: $input) "
        "{ schedule { id } userErrors { code field } } }",
        {"input": {**SCHEDULE, "template": order_input(("A", 1), channel_code="nowhere")}}),
    *(Row("Mutation", name, "admin orders:write", "channel",
          "mutation($id: ID!) { " + name + "(id: $id) { schedule { id } "
          "userErrors { code field } } }", {"id": NOWHERE})
      for name in ("pauseOrderSchedule", "resumeOrderSchedule", "cancelOrderSchedule")),
    Row("Mutation", "reserve", "admin orders:write", "channel",
        "mutation($input: ReserveInput!) { reserve(input: $input) "
        "{ reservation { id } userErrors { code field } } }",
        {"input": {"channel": "web", "lines": [{"sku": "A", "quantity": 1}], "ttlSeconds": 60}}),
    Row("Mutation", "releaseReservation", "admin orders:write", "channel",
        "mutation($id: ID!) { releaseReservation(id: $id) "
        "{ reservation { status } userErrors { code field } } }", {"id": NOWHERE}),
    Row("Mutation", "overrideRouting", "admin routing:write", "channel",
        "mutation($input: RoutingOverrideInput!) { overrideRouting(input: $input) "
        "{ order { number } userErrors { code field } } }",
        {"input": {"orderId": NOWHERE, "nodeCode": "ST1", "reason": "matrix"}}),
    Row("Mutation", "upsertRoutingRule", "admin routing:write", "channel",
        "mutation($input: RoutingRuleInput!) { upsertRoutingRule(input: $input) "
        "{ userErrors { code field } } }",
        {"input": {"id": NOWHERE, "name": "matrix", "rank": 1}}),
    Row("Mutation", "deleteRoutingRule", "admin routing:write", "channel",
        "mutation($id: ID!) { deleteRoutingRule(id: $id) { userErrors { code field } } }", {"id": NOWHERE}),
    Row("Mutation", "restoreRoutingRule", "admin routing:write", "channel",
        "mutation($id: ID!) { restoreRoutingRule(id: $id, version: 1) "
        "{ rule { id } userErrors { code field } } }", {"id": NOWHERE}),
    Row("Mutation", "upsertWebhookEndpoint", "admin webhooks:write", "channel",
        "mutation($input: WebhookEndpointInput!) { upsertWebhookEndpoint(input: $input) "
        "{ endpoint { id } secret userErrors { code field } } }",
        {"input": {"id": NOWHERE, "url": "http://127.0.0.1:9/matrix", "events": ["ORDER_CREATED"]}}),
    *(Row("Mutation", name, "admin webhooks:write", "channel",
          "mutation($id: ID!) { " + name + "(id: $id) { endpoint { id } secret "
          "userErrors { code field } } }", {"id": NOWHERE})
      for name in ("deleteWebhookEndpoint", "rotateWebhookSecret")),
    Row("Mutation", "redeliverWebhook", "admin webhooks:write", "channel",
        "mutation($id: ID!) { redeliverWebhook(deliveryId: $id) "
        "{ delivery { id } userErrors { code field } } }", {"id": NOWHERE}),
    *(Row("Mutation", name, "admin fulfillment:write", "channel node", FULFILLMENT % name,
          {"id": NOWHERE})
      for name in ("acceptFulfillment", "markPicked", "markPacked", "markReadyForPickup",
                   "markDelivered", "markPickedUp")),
    Row("Mutation", "rejectFulfillment", "admin fulfillment:write", "channel node",
        'mutation($id: ID!) { rejectFulfillment(fulfillmentId: $id, reason: "matrix") '
        "{ userErrors { code field } } }", {"id": NOWHERE}),
    Row("Mutation", "shipFulfillment", "admin fulfillment:write", "channel node",
        "mutation($input: ShipFulfillmentInput!) { shipFulfillment(input: $input) "
        "{ fulfillment { status } userErrors { code field } } }",
        {"input": {"fulfillmentId": NOWHERE, "carrier": "BRT", "trackingNumber": "T1"}}),
    Row("Mutation", "cancelOrder", "admin orders:write", "channel",
        "mutation($input: CancelOrderInput!) { cancelOrder(input: $input) "
        "{ order { status } userErrors { code field } } }",
        {"input": {"orderId": NOWHERE, "reason": "matrix"}}),
    Row("Mutation", "requestReturn", "admin returns:write orders:read:own", "channel own",
        "mutation($input: RequestReturnInput!) { requestReturn(input: $input) "
        "{ return { number } userErrors { code field } } }",
        {"input": {"orderId": NOWHERE,
                   "lines": [{"orderLineId": NOWHERE, "quantity": 1, "reason": "matrix"}]}}),
    Row("Mutation", "receiveReturn", "admin returns:write", "channel node",
        "mutation($input: ReceiveReturnInput!) { receiveReturn(input: $input) "
        "{ return { status } userErrors { code field } } }",
        {"input": {"returnId": NOWHERE, "nodeCode": "WH1",
                   "lines": [{"orderLineId": NOWHERE, "quantity": 1, "disposition": "RESTOCK"}]}}),
    # A storefront's "tell me when it is back" (an unknown SKU here: nothing is registered).
    Row("Mutation", "requestBackInStockNotice", "admin availability:read", "channel",
        "mutation($input: BackInStockInput!) { requestBackInStockNotice(input: $input) "
        "{ registered userErrors { code field } } }",
        {"input": {"channel": "web", "sku": "NOPE", "email": "matrix@example.com"}}),
    Row("Mutation", "refundReturn", "admin returns:write", "channel",
        "mutation($id: ID!) { refundReturn(returnId: $id) "
        "{ return { status } userErrors { code field } } }", {"id": NOWHERE}),
    Row("Mutation", "rejectReturn", "admin returns:write", "channel",
        'mutation($id: ID!) { rejectReturn(returnId: $id, reason: "matrix") '
        "{ return { status } userErrors { code field } } }", {"id": NOWHERE}),
    # The customer withdraws its own return.
    Row("Mutation", "cancelReturn", "admin returns:write orders:read:own", "channel own",
        "mutation($id: ID!) { cancelReturn(returnId: $id) "
        "{ return { status } userErrors { code field } } }", {"id": NOWHERE}),
    Row("Mutation", "upsertCompany", "admin", "channel",
        "mutation($input: CompanyInput!) { upsertCompany(input: $input) "
        "{ company { code } userErrors { code field } } }", {"input": COMPANY}),
    Row("Mutation", "reorder", "admin orders:write", "channel",
        "mutation($id: ID!, $key: String) { reorder(orderId: $id, idempotencyKey: $key) "
        "{ order { number } userErrors { code field } } }", {"id": NOWHERE, "key": None}),
    Row("Mutation", "recordPayment", "admin orders:write", "channel",
        "mutation($id: ID!) { recordPayment(orderId: $id, amount: {amount: \"1.00\", "
        'currency: "EUR"}, reference: "matrix") { order { number } userErrors { code field } } }',
        {"id": NOWHERE}),

    Row("Subscription", "stockUpdates", "admin availability:read orders:read orders:write",
        "channel", 'subscription($c: String!) { stockUpdates(channel: $c, skus: ["A"]) '
        "{ sku available } }", {"c": "web"}),
    Row("Subscription", "orderUpdates", "admin orders:read orders:read:own orders:write",
        "channel own", "subscription($id: ID!) { orderUpdates(orderId: $id) "
        "{ event { type } } }", {"id": "@open"}),
    Row("Subscription", "orderEvents", "admin orders:read orders:read:own orders:write",
        "channel own", "subscription($c: [String!]) { orderEvents(channels: $c) "
        "{ event { type } order { number } } }", {"c": None}),
    Row("Subscription", "stockAlerts", "admin inventory:write fulfillment:write orders:read",
        "channel node", "subscription($n: [String!]) { stockAlerts(nodeCodes: $n) "
        "{ sku node { code } } }", {"n": ["WH1"]}),
    Row("Subscription", "webhookAlerts", "admin webhooks:write", "channel",
        "subscription { webhookAlerts { endpointId } }"),
]
ROWS = {row.field: row for row in MATRIX}


@dataclass(frozen=True)
class LimitCase:
    """A token of `scope` limited away from the seeded data gets `refusal` (a GraphQL error
    code, or a userError code at `at`) or, for a filtered read, an answer without `shows`;
    one limited to the data gets neither refusal nor auth error (and `shows`), unless
    `unlimited_only`: then it is refused alike."""

    field: str
    limit: str
    scope: str
    refusal: str | None = None
    at: tuple[str, ...] | None = None
    shows: str | None = None
    variables: dict[str, Any] | None = None
    "Instead of the row's (real ids where the row's are unknown ones)."
    unlimited_only: bool = False
    "Only a token without this limit may call the field."


LIMITED = {  # limit -> (token limits away from the data, token limits including it)
    "channel": ({"channels": ["mkt"]}, {"channels": ["web"]}),
    "node": ({"nodes": ["ST1"]}, {"nodes": ["WH1"]}),
    "own": ({"customer_ref": "cust-2"}, {"customer_ref": "cust-1"}),
}
WORK = {"id": "@work_fulfillment"}
LIMIT_CASES = [
    LimitCase("channels", "channel", "availability:read", shows="web"),
    LimitCase("channel", "channel", "availability:read", shows="web"),
    LimitCase("availability", "channel", "availability:read", "UNKNOWN_CHANNEL", shows="A"),
    LimitCase("inventory", "channel", "orders:read", shows="ST1"),
    LimitCase("inventory", "node", "fulfillment:write", shows="WH1"),
    *(LimitCase("apiTokens", limit, "admin", shows=TILL) for limit in ("channel", "node")),
    *(LimitCase("auditLog", limit, "admin", "FORBIDDEN", unlimited_only=True)
      for limit in ("channel", "node")),
    LimitCase("order", "channel", "orders:read", shows="@open_number"),
    LimitCase("order", "own", "orders:read:own", shows="@open_number"),
    # A customer token limited to channels sees its own orders in those channels only.
    LimitCase("order", "channel", "orders:read:own", shows="@open_number"),
    LimitCase("orders", "channel", "orders:read", shows="@open_number"),
    LimitCase("orders", "own", "orders:read:own", shows="@open_number"),
    LimitCase("orders", "channel", "orders:read:own", shows="@open_number"),
    LimitCase("routingRules", "channel", "routing:write", shows="@web_rule"),
    LimitCase("routingRules", "channel", "orders:read", shows="@web_rule"),
    LimitCase("routingRuleVersion", "channel", "routing:write", shows="@web_rule"),
    LimitCase("routingRuleVersion", "channel", "orders:read", shows="@web_rule"),
    LimitCase("webhookEndpoints", "channel", "webhooks:write", shows="@web_hook"),
    LimitCase("simulateSourcing", "channel", "orders:write", "UNKNOWN_CHANNEL", shows="A"),
    LimitCase("sourcingDecision", "channel", "orders:read", shows="WH1"),
    LimitCase("replaySourcing", "channel", "routing:write", "UNKNOWN_CHANNEL", shows="WH1"),
    LimitCase("document", "channel", "orders:read", shows="@document_number"),
    LimitCase("document", "own", "orders:read:own", shows="@document_number"),
    LimitCase("document", "channel", "orders:read:own", shows="@document_number"),
    LimitCase("shippingQuotes", "channel", "orders:write", "UNKNOWN_CHANNEL"),
    LimitCase("return", "channel", "returns:write", shows="@rma_number"),
    LimitCase("return", "own", "orders:read:own", shows="@rma_number"),
    LimitCase("return", "channel", "orders:read:own", shows="@rma_number"),
    LimitCase("orderMetrics", "channel", "orders:read", "UNKNOWN_CHANNEL"),
    LimitCase("orderMetrics", "node", "orders:read", shows="WH1",
              variables={"c": None, **AROUND_NOW}),
    *(LimitCase(name, limit, scope, shows=shows)
      for name in ("reorderPolicies", "lowStock", "replenishmentSuggestions")
      for limit, scope, shows in (("channel", "orders:read", "ST1"),
                                  ("node", "fulfillment:write", "WH1"))),
    LimitCase("abandonedCarts", "channel", "orders:read", "UNKNOWN_CHANNEL"),

    LimitCase("upsertNode", "node", "admin", "NODE_NOT_ALLOWED", ("code",)),
    LimitCase("upsertChannel", "channel", "admin", "UNKNOWN_CHANNEL", ("code",)),
    LimitCase("syncInventory", "node", "inventory:write", "NODE_NOT_ALLOWED",
              ("records", "0", "nodeCode")),
    LimitCase("adjustInventory", "node", "inventory:write", "NODE_NOT_ALLOWED",
              ("adjustments", "0", "nodeCode")),
    LimitCase("setReorderPolicies", "node", "inventory:write", "NODE_NOT_ALLOWED",
              ("policies", "0", "nodeCode")),
    *(LimitCase("createApiToken", limit, "admin", refusal, (f"{limit}s", "0"),
                variables={"input": {"name": "made", "scopes": ["availability:read"],
                                     f"{limit}s": [code]}})
      for limit, refusal, code in (("channel", "UNKNOWN_CHANNEL", "web"),
                                   ("node", "NODE_NOT_ALLOWED", "WH1"))),
    # the token made at web and WH1 (the channel case's within token revokes it)
    *(LimitCase("revokeApiToken", limit, "admin", "NOT_FOUND", ("id",),
                variables={"id": "@spare_till"}) for limit in ("channel", "node")),
    LimitCase("placeOrder", "channel", "orders:write", "UNKNOWN_CHANNEL", ("channel",),
              variables={"input": order_input(("A", 1), idempotencyKey="matrix-limit")}),
    LimitCase("reserve", "channel", "orders:write", "UNKNOWN_CHANNEL", ("channel",)),
    LimitCase("orderSchedules", "channel", "orders:read", shows="@web_schedule"),
    LimitCase("createOrderSchedule", "channel", "orders:write", "UNKNOWN_CHANNEL",
              ("template", "channel"), variables={"input": {**SCHEDULE,
                                                            "template": order_input(("A", 1))}}),
    # in this order, each within token moves the schedule on (the admin runs: INVALID_TRANSITION)
    *(LimitCase(name, "channel", "orders:write", "NOT_FOUND", ("id",),
                variables={"id": "@web_schedule"})
      for name in ("pauseOrderSchedule", "resumeOrderSchedule", "cancelOrderSchedule")),
    LimitCase("releaseReservation", "channel", "orders:write", "NOT_FOUND", ("id",),
              variables={"id": "@hold"}),
    LimitCase("overrideRouting", "channel", "routing:write", "NOT_FOUND", ("orderId",),
              variables={"input": {"orderId": "@open", "nodeCode": "ST1", "reason": "matrix"}}),
    LimitCase("upsertRoutingRule", "channel", "routing:write", "UNKNOWN_CHANNEL", ("channels", "0"),
              variables={"input": {"name": "matrix web", "rank": 91, "active": False,
                                   "channels": ["web"]}}),
    LimitCase("deleteRoutingRule", "channel", "routing:write", "NOT_FOUND", ("id",),
              variables={"id": "@doomed"}),
    # a web rule's version 1 brought back as a new version (it changes nothing else reads)
    LimitCase("restoreRoutingRule", "channel", "routing:write", "NOT_FOUND", ("version",),
              variables={"id": "@web_rule"}),
    LimitCase("upsertWebhookEndpoint", "channel", "webhooks:write", "UNKNOWN_CHANNEL",
              ("channels", "0"), variables={"input": {
                  "url": "http://127.0.0.1:9/matrix", "events": ["ORDER_CREATED"],
                  "channels": ["web"]}}),
    LimitCase("deleteWebhookEndpoint", "channel", "webhooks:write", "NOT_FOUND", ("id",),
              variables={"id": "@doomed_hook"}),
    LimitCase("rotateWebhookSecret", "channel", "webhooks:write", "NOT_FOUND", ("id",),
              variables={"id": "@web_hook"}),
    LimitCase("redeliverWebhook", "channel", "webhooks:write", "NOT_FOUND", ("deliveryId",),
              variables={"id": "@web_delivery"}),
    *(LimitCase(name, limit, "fulfillment:write", "NOT_FOUND", ("fulfillmentId",), variables=WORK)
      for name in ("acceptFulfillment", "markPicked", "markPacked", "markReadyForPickup",
                   "markDelivered", "markPickedUp", "rejectFulfillment")
      for limit in ("channel", "node")),
    *(LimitCase("shipFulfillment", limit, "fulfillment:write", "NOT_FOUND", ("fulfillmentId",),
                variables={"input": {"fulfillmentId": "@work_fulfillment", "carrier": "BRT",
                                     "trackingNumber": "T1"}})
      for limit in ("channel", "node")),
    LimitCase("cancelOrder", "channel", "orders:write", "NOT_FOUND", ("orderId",),
              # an unknown line: the caller who may see the order is refused after the look-up
              variables={"input": {"orderId": "@open", "reason": "matrix",
                                   "orderLineIds": [NOWHERE]}}),
    *(LimitCase("requestReturn", limit, scope, "NOT_FOUND", ("orderId",), variables={"input": {
        "orderId": "@done", "lines": [{"orderLineId": "@done_line", "quantity": 1,
                                       "reason": "matrix"}]}})
      for limit, scope in (("channel", "returns:write"), ("own", "orders:read:own"),
                           ("channel", "orders:read:own"))),
    *(LimitCase("receiveReturn", limit, "returns:write", refusal, at, variables={"input": {
        "returnId": "@rma", "nodeCode": "WH1",
        "lines": [{"orderLineId": "@done_line", "quantity": 1, "disposition": "RESTOCK"}]}})
      for limit, refusal, at in (("channel", "NOT_FOUND", ("returnId",)),
                                 ("node", "NODE_NOT_ALLOWED", ("nodeCode",)))),
    LimitCase("refundReturn", "channel", "returns:write", "NOT_FOUND", ("returnId",),
              variables={"id": "@rma"}),
    LimitCase("requestBackInStockNotice", "channel", "availability:read", "UNKNOWN_CHANNEL",
              ("channel",), variables={"input": {"channel": "web", "sku": "A",
                                                 "email": "matrix@example.com"}}),

    LimitCase("companies", "channel", "orders:read", shows="ACME"),
    LimitCase("company", "channel", "orders:read", shows="ACME"),
    LimitCase("upsertCompany", "channel", "admin", "UNKNOWN_CHANNEL", ("channels", "0"),
              variables={"input": {**COMPANY, "code": "MATRIX"}}),
    LimitCase("reorder", "channel", "orders:write", "NOT_FOUND", ("orderId",),
              variables={"id": "@open", "key": "matrix-reorder"}),
    LimitCase("recordPayment", "channel", "orders:write", "NOT_FOUND", ("orderId",),
              variables={"id": "@open"}),
    LimitCase("rejectReturn", "channel", "returns:write", "NOT_FOUND", ("returnId",),
              variables={"id": "@rma"}),
    *(LimitCase("cancelReturn", limit, scope, "NOT_FOUND", ("returnId",), variables={"id": "@rma"})
      for limit, scope in (("channel", "returns:write"), ("own", "orders:read:own"),
                           ("channel", "orders:read:own"))),

    LimitCase("stockUpdates", "channel", "availability:read", "UNKNOWN_CHANNEL"),
    LimitCase("orderUpdates", "channel", "orders:read", "NOT_FOUND"),
    LimitCase("orderUpdates", "own", "orders:read:own", "NOT_FOUND"),
    LimitCase("orderUpdates", "channel", "orders:read:own", "NOT_FOUND"),
    *(LimitCase("orderEvents", "channel", scope, "UNKNOWN_CHANNEL", variables={"c": ["web"]})
      for scope in ("orders:read", "orders:read:own")),
    # mkt never sees ST1; a token at ST1 does not see WH1
    LimitCase("stockAlerts", "channel", "orders:read", "NODE_NOT_ALLOWED", variables={"n": ["ST1"]}),
    LimitCase("stockAlerts", "node", "fulfillment:write", "NODE_NOT_ALLOWED"),
]


ADMIN_VARIABLES = {"deleteRoutingRule": {"id": "@doomed_admin"},
                   "deleteWebhookEndpoint": {"id": "@doomed_hook_admin"}}
"Where a case's first run used up what it names, its admin run names another."


def admin_cases() -> list[LimitCase]:
    """Each (field, limit) checked for a partner's or a node's token, again for an admin token
    limited alike (an admin is no customer token)."""
    first: dict[tuple[str, str], LimitCase] = {}
    for case in LIMIT_CASES:
        if case.scope not in (Scope.ADMIN, Scope.ORDERS_READ_OWN):
            variables = ADMIN_VARIABLES.get(case.field, case.variables)
            first.setdefault((case.field, case.limit),
                             replace(case, scope=Scope.ADMIN, variables=variables))
    return list(first.values())


CASES = [*LIMIT_CASES, *admin_cases()]
FEED_FILTERS = {("orderEvents", "channel"), ("orderEvents", "own"), ("webhookAlerts", "channel")}
"""Limits that filter a live feed's events: checked by test_order_events_reach_only_whom_limits_allow
and tests/test_webhook_alerts.py."""

AUTH_CODES = {"FORBIDDEN", "UNAUTHENTICATED"}


def disclosed(body: dict[str, Any], row: Row) -> Any:
    """What an answer carries besides its refusal: the field's value, or of a payload, its
    fields other than userErrors that hold something."""
    value = (body.get("data") or {}).get(row.field)
    if row.root == "Mutation" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "userErrors" and v} or None
    return value


@pytest.fixture(autouse=True)
def clean() -> None:
    """Not per test here: the module shares one dataset (`world`), emptied and seeded once."""


@pytest.fixture(scope="module")
async def world(database: Any) -> AsyncIterator[World]:
    await empty_tables(database)
    admin = await make_token(["admin"], name="admin")
    async with live_server(database, admin) as server:
        yield World(server, await seed(server.api))


INTROSPECT = """{ __schema { queryType { fields { name } } mutationType { fields { name } }
                             subscriptionType { fields { name } } } }"""


async def test_the_table_names_every_root_field_and_only_those(world: World) -> None:
    schema = (await world.server.api(INTROSPECT))["__schema"]
    served = {(root, f["name"]) for root, key in (("Query", "queryType"),
                                                  ("Mutation", "mutationType"),
                                                  ("Subscription", "subscriptionType"))
              for f in schema[key]["fields"]}
    table = [(row.root, row.field) for row in MATRIX]
    assert sorted(served - set(table)) == [], "root fields missing from MATRIX"
    assert sorted(set(table) - served) == [], "MATRIX names fields the schema does not serve"
    assert len(table) == len(set(table)) == len(ROWS)


def test_the_table_speaks_of_real_scopes_and_checks_every_limit_it_claims() -> None:
    scopes = {str(s) for s in Scope}
    for row in MATRIX:
        assert row.scopes == ANY or set(row.scopes.split()) <= scopes, row.name
        assert row.allows(Scope.ADMIN), f"{row.name}: admin may do everything"
        assert set(row.limits.split()) <= set(LIMITED), row.name
    claimed = {(row.field, limit) for row in MATRIX for limit in row.limits.split()}
    checked = [(case.field, case.limit) for case in CASES]
    assert sorted(claimed - set(checked) - FEED_FILTERS) == [], "limits claimed, never checked"
    assert sorted(set(checked) - claimed) == [], "limits checked that the table does not claim"
    assert len(CASES) == len({(case.field, case.limit, case.scope) for case in CASES})
    for case in CASES:
        assert ROWS[case.field].allows(case.scope), f"{case.field}: {case.scope} may not call it"


CELLS = [(row, scope) for row in MATRIX for scope in (None, *Scope)]


@pytest.mark.parametrize(("row", "scope"), CELLS,
                         ids=[f"{row.name}-{scope or 'no token'}" for row, scope in CELLS])
async def test_cell(world: World, row: Row, scope: Scope | None) -> None:
    token = await world.token(scope) if scope else ""
    variables = world.resolve(row.variables)
    if row.root == "Subscription":
        expected = STARTED if row.allows(scope) else "FORBIDDEN" if scope else SOCKET_REFUSED
        assert await world.subscribe(row.document, token, variables) == expected
        return
    body = await world.http(row.document, token, variables)
    if row.allows(scope):
        assert "errors" not in body, body["errors"]
    else:
        assert codes_of(body["errors"]) == ("FORBIDDEN" if scope else "UNAUTHENTICATED")
        assert disclosed(body, row) is None


@pytest.mark.parametrize("case", CASES, ids=[f"{c.field}-{c.limit}-{c.scope}" for c in CASES])
async def test_limit(world: World, case: LimitCase) -> None:
    row = ROWS[case.field]
    away, within = [await world.token(case.scope, **limits) for limits in LIMITED[case.limit]]
    variables = world.resolve(case.variables if case.variables is not None else row.variables)
    if row.root == "Subscription":
        assert await world.subscribe(row.document, away, variables) == case.refusal
        assert await world.subscribe(row.document, within, variables) == STARTED
        return
    refused = await world.http(row.document, away, variables)
    granted = await world.http(row.document, within, variables)
    expected = {(case.refusal, case.at)} if case.refusal else set()
    for body in (refused, granted) if case.unlimited_only else (refused,):
        assert refusals(body, row.field) == expected, body
        if case.refusal:
            assert disclosed(body, row) is None, body
    if case.unlimited_only:
        return
    assert not refusals(granted, row.field) & (expected | {(c, None) for c in AUTH_CODES}), granted
    if case.shows:
        shows = json.dumps(world.resolve(case.shows))
        assert shows in json.dumps(granted["data"]), granted
        assert shows not in json.dumps(refused), refused


async def test_order_events_reach_only_whom_limits_allow(world: World) -> None:
    """orderEvents without channels: each token gets the events its limits let through."""
    server, row = world.server, ROWS["orderEvents"]
    watchers = {"web partner": ("orders:read", {"channels": ["web"]}),
                "cust-1": ("orders:read:own", {"customer_ref": "cust-1"}),
                "mkt partner": ("orders:read", {"channels": ["mkt"]}),
                "mkt admin": ("admin", {"channels": ["mkt"]}),
                "cust-2": ("orders:read:own", {"customer_ref": "cust-2"}),
                "cust-1 on mkt": ("orders:read:own", {"customer_ref": "cust-1",
                                                      "channels": ["mkt"]})}
    await server.settle()
    before = server.hub.feed_count()
    async with contextlib.AsyncExitStack() as stack:
        feeds = {}
        for name, (scope, limits) in watchers.items():
            session = await stack.enter_async_context(
                ws_session(server.ws_url, await world.token(scope, **limits)))
            feeds[name] = session.subscribe(row.document, {"c": None})
        await server.wait_for_feeds(before + len(watchers))
        placed = await place_paid(server.api, ("A", 1), customerRef="cust-1")
        for name in ("web partner", "cust-1"):
            while (await feeds[name].next())["orderEvents"]["order"]["number"] != placed["number"]:
                pass
        for name in ("mkt partner", "mkt admin", "cust-2", "cust-1 on mkt"):
            assert await feeds[name].drain(0.3) == [], name
