"""Webhook operations for the tests, and a served shop to deliver from (fast retries)."""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from oms.config import Settings
from oms.models import WebhookDelivery
from tests.helpers import channel, node, stock
from tests.servers import LiveServer, eventually, live_server

UPSERT = """mutation($input: WebhookEndpointInput!) { upsertWebhookEndpoint(input: $input) {
  endpoint { id url events channels active consecutiveFailures createdAt }
  secret userErrors { code message field } } }"""
DELETE = """mutation($id: ID!) { deleteWebhookEndpoint(id: $id) {
  endpoint { id } secret userErrors { code message field } } }"""
ROTATE = """mutation($id: ID!) { rotateWebhookSecret(id: $id) {
  endpoint { id } secret userErrors { code message field } } }"""
REDELIVER = """mutation($id: ID!) { redeliverWebhook(deliveryId: $id) {
  delivery { id eventId status attempts } userErrors { code message field } } }"""
DELIVERY_FIELDS = ("id eventId eventType status attempts responseStatus error nextAttemptAt "
                   "createdAt deliveredAt")
ENDPOINTS = """query($first: Int, $status: WebhookDeliveryStatus) { webhookEndpoints {
  id url events channels active consecutiveFailures
  deliveries(first: $first, status: $status) { @ } } }""".replace("@", DELIVERY_FIELDS)
EVERY_TYPE = ["ORDER_CREATED", "ORDER_STATUS_CHANGED", "FULFILLMENT_CREATED",
              "FULFILLMENT_SHIPPED", "FULFILLMENT_DELIVERED", "ORDER_CANCELLED",
              "RETURN_REQUESTED", "RETURN_RECEIVED", "REFUND_ISSUED", "STOCK_CHANGED",
              "STOCK_LOW", "RESERVATION_EXPIRED"]


def fast(settings: Settings, **changes: Any) -> Settings:
    """`settings` with retries in tenths of a second, so tests watch a whole schedule."""
    return replace(settings, **{"webhook_retry_base_seconds": 0.3, "webhook_poll_seconds": 0.05,
                                "webhook_timeout_seconds": 2.0, **changes})


async def endpoint(api: Any, url: str, events: list[str] | None = None,
                   **fields: Any) -> dict[str, Any]:
    """Create an endpoint that must be accepted; its payload (endpoint, secret)."""
    data = (await api(UPSERT, {"input": {"url": url, "events": events or EVERY_TYPE,
                                         **fields}}))["upsertWebhookEndpoint"]
    assert data["userErrors"] == [], data
    return data


async def hooked(api: Any, hook: Any, events: list[str] | None = None,
                 **fields: Any) -> dict[str, Any]:
    """An endpoint at `hook` (a tests.receiver.Receiver), which learns its secret."""
    made = await endpoint(api, hook.url, events, **fields)
    hook.secrets.append(made["secret"])
    return made["endpoint"]


async def listed(api: Any, first: int = 50, status: str | None = None) -> list[dict[str, Any]]:
    return (await api(ENDPOINTS, {"first": first, "status": status}))["webhookEndpoints"]


async def deliveries_of(api: Any, endpoint_id: str, **args: Any) -> list[dict[str, Any]]:
    found = [e for e in await listed(api, **args) if e["id"] == endpoint_id]
    assert found, f"no endpoint {endpoint_id}"
    return list(found[0]["deliveries"])


@contextlib.asynccontextmanager
async def shop(settings: Settings, admin_token: str,
               **changes: Any) -> AsyncIterator[LiveServer]:
    """A live server (fast retries) with WH1, channels web and mkt, and 50 x A at WH1."""
    async with live_server(fast(settings, **changes), admin_token) as running:
        await node(running.api, "WH1")
        for code in ("web", "mkt"):
            await channel(running.api, code)
        await stock(running.api, ("A", "WH1", 50))
        await running.settle()
        yield running


async def all_sent(within: float = 10.0) -> None:
    """Wait until no delivery is waiting for an attempt (each delivered, or failed for good)."""
    async def nothing_open() -> bool:
        return not await WebhookDelivery.filter(status__in=["PENDING", "RETRYING"]).exists()

    await eventually(nothing_open, within=within)
