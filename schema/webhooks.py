"""Webhook endpoints, their deliveries, and the inputs and payloads that edit them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from oms import models
from oms.enums import WebhookDeliveryStatus, WebhookEventType
from oms.webhooks import endpoints
from oms.webhooks.endpoints import EndpointSpec
from schema.common import UserError

strawberry.enum(WebhookEventType)
strawberry.enum(WebhookDeliveryStatus, description=(
    "PENDING (not attempted yet, or redelivered), RETRYING (failed, to be attempted again),\n"
    "DELIVERED (a 2xx answer), FAILED: gave up after the last retry (or the endpoint was "
    "disabled)."))


@strawberry.type(description="An endpoint the OMS stopped delivering to, as it happens.")
class WebhookAlert:
    type: str = strawberry.field(description="ENDPOINT_DISABLED")
    endpoint_id: strawberry.ID
    url: str
    reason: str
    consecutive_failures: int
    at: datetime

    @classmethod
    def of_event(cls, payload: dict[str, Any]) -> WebhookAlert:
        return cls(type="ENDPOINT_DISABLED", endpoint_id=strawberry.ID(str(payload["endpoint_id"])),
                   url=str(payload["url"]), reason=str(payload.get("reason", "")),
                   consecutive_failures=int(payload.get("consecutiveFailures", 0)),
                   at=datetime.fromisoformat(str(payload["at"])))


@strawberry.type
class WebhookDelivery:
    id: strawberry.ID
    event_id: str
    event_type: WebhookEventType
    status: WebhookDeliveryStatus
    attempts: int
    response_status: int | None
    error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, row: models.WebhookDelivery) -> WebhookDelivery:
        return cls(id=strawberry.ID(str(row.id)), event_id=row.event_id,
                   event_type=WebhookEventType(row.event_type),
                   status=WebhookDeliveryStatus(row.status), attempts=row.attempts,
                   response_status=row.response_status, error=row.error,
                   next_attempt_at=row.next_attempt_at, created_at=row.created_at,
                   delivered_at=row.delivered_at)


@strawberry.type(description=(
    "A system outside the OMS (ERP, WMS, carrier hub, CRM, marketing) told of what\n"
    "happens. Each delivery is an HTTP POST of the JSON body\n"
    '{"id": "<event id>", "type": "<WebhookEventType>", "createdAt": "...", "data": {...}}\n'
    "with the headers\n"
    "  OMS-Webhook-Id: <event id>            (the same on every retry: receivers de-duplicate on it)\n"
    "  OMS-Webhook-Timestamp: <unix seconds>\n"
    '  OMS-Webhook-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed by the '
    "endpoint's secret>\n"
    "A 2xx answer within 10 s is a success; anything else is retried with exponential\n"
    "backoff and jitter."))
class WebhookEndpoint:
    id: strawberry.ID
    url: str
    events: list[WebhookEventType]
    channels: list[str] = strawberry.field(description="Empty = events of every channel.")
    active: bool
    consecutive_failures: int = strawberry.field(description=(
        "Failed deliveries in a row; at the limit the endpoint is deactivated."))
    created_at: datetime

    @strawberry.field(description="Newest first.")
    async def deliveries(self, first: int | None = 20,
                         status: WebhookDeliveryStatus | None = None) -> list[WebhookDelivery]:
        rows = await endpoints.deliveries(str(self.id), 20 if first is None else first, status)
        return [WebhookDelivery.of(row) for row in rows]

    @classmethod
    def of(cls, row: models.WebhookEndpoint) -> WebhookEndpoint:
        return cls(id=strawberry.ID(str(row.id)), url=row.url,
                   events=[WebhookEventType(e) for e in row.events], channels=list(row.channels),
                   active=row.active, consecutive_failures=row.consecutive_failures,
                   created_at=row.created_at)


@strawberry.input
class WebhookEndpointInput:
    id: strawberry.ID | None = strawberry.field(default=None,
                                                description="Omit to create; give to update.")
    url: str = strawberry.field(description=(
        "http:// or https://; private, loopback and link-local destinations are refused\n"
        "(PRIVATE_DESTINATION) unless the server allows them (OMS_WEBHOOK_ALLOW_PRIVATE)."))
    events: list[WebhookEventType]
    channels: list[str] | None = strawberry.field(default_factory=list, description=(
        "Empty = every channel. A channel-limited token names some of its own channels."))
    active: bool | None = True

    def to_spec(self) -> EndpointSpec:
        return EndpointSpec(url=self.url, events=list(self.events),
                            id=str(self.id) if self.id is not None else None,
                            channels=list(self.channels or []),
                            active=True if self.active is None else self.active)


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = None
    secret: str | None = strawberry.field(
        default=None, description="The signing secret: shown once, on creation and on rotation.")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
