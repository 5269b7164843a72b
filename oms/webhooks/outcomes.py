"""What an attempt did to its delivery and endpoint, recorded in one transaction.

A 2xx answer delivers it and resets the endpoint's failure count. Anything else counts one
failure for the endpoint and schedules the next attempt (`oms.webhooks.schedule`), or fails
the delivery for good after the last attempt. At `max_failures` failed attempts in a row the
endpoint is deactivated: its open deliveries fail, and the change is written as an audit
entry (actor `webhooks`, action `webhookEndpointDisabled`) and a `webhook.endpoint_disabled`
outbox event, published like every other event.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import F

from oms.clock import now
from oms.enums import WebhookDeliveryStatus as DS
from oms.events.topics import WEBHOOK_ENDPOINT_DISABLED
from oms.models import AuditEntry, WebhookDelivery, WebhookEndpoint
from oms.uow import UnitOfWork
from oms.webhooks.schedule import retry_delay
from oms.webhooks.transitions import DELIVERY, OPEN

ACTOR = "webhooks"
MAX_ERROR = 500


@dataclass(frozen=True)
class Attempt:
    """What one POST got: the answer's status (None: no answer) and why it failed."""

    response_status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300


@dataclass(frozen=True)
class Policy:
    retry_base_seconds: float
    max_attempts: int
    max_failures: int


async def record(uow: UnitOfWork, delivery: WebhookDelivery, claim: str, attempt: Attempt,
                 policy: Policy) -> None:
    """Store the attempt on `delivery` while `claim` still holds it (a redelivery or a
    lapsed claim may have moved it on meanwhile: then nothing is written)."""
    attempts = delivery.attempts + 1
    target, changes = _outcome(attempt, attempts, policy)
    moved = await DELIVERY.move_where(
        WebhookDelivery, DS(delivery.status), target, {"id": delivery.id, "claim": claim},
        attempts=attempts, response_status=attempt.response_status,
        error=(attempt.error or "")[:MAX_ERROR] or None, claim=None, claimed_until=None,
        **changes)
    if not moved:
        return
    endpoints = WebhookEndpoint.filter(id=delivery.endpoint_id)
    if attempt.ok:
        await endpoints.update(consecutive_failures=0)
        return
    await endpoints.update(consecutive_failures=F("consecutive_failures") + 1)
    endpoint = await WebhookEndpoint.get(id=delivery.endpoint_id)
    if endpoint.active and endpoint.consecutive_failures >= policy.max_failures:
        await disable(uow, endpoint)


def _outcome(attempt: Attempt, attempts: int, policy: Policy) -> tuple[DS, dict[str, object]]:
    """Where the attempt leaves the delivery, and when it is due again (if it is)."""
    if attempt.ok:
        return DS.DELIVERED, {"next_attempt_at": None, "delivered_at": now()}
    if attempts >= policy.max_attempts:
        return DS.FAILED, {"next_attempt_at": None}
    delay = retry_delay(policy.retry_base_seconds, attempts)
    return DS.RETRYING, {"next_attempt_at": now() + timedelta(seconds=delay)}


async def disable(uow: UnitOfWork, endpoint: WebhookEndpoint) -> None:
    """Deactivate `endpoint` after too many failures; its open deliveries fail."""
    reason = f"endpoint disabled after {endpoint.consecutive_failures} failed attempts in a row"
    endpoint.active, endpoint.disabled_at = False, now()
    await endpoint.save(update_fields=["active", "disabled_at", "updated_at"])
    for previous in OPEN:
        await DELIVERY.move_where(WebhookDelivery, previous, DS.FAILED,
                                  {"endpoint_id": endpoint.id}, next_attempt_at=None, error=reason)
    details = {"url": endpoint.url, "consecutiveFailures": endpoint.consecutive_failures}
    uow.stage(AuditEntry(actor=ACTOR, action="webhookEndpointDisabled",
                         target=f"webhook:{endpoint.id}", details=details))
    uow.record(WEBHOOK_ENDPOINT_DISABLED, {"endpoint_id": str(endpoint.id), "reason": reason,
                                           "channels": list(endpoint.channels),
                                           "at": now().isoformat(), **details})
