"""Webhook endpoints as an admin edits them, and their delivery logs.

An endpoint for no channels gets the events of every channel. A channel-limited token sees
and changes only endpoints within its channels (one for every channel, or naming another, is
NOT_FOUND to it, like one that does not exist) and creates only such endpoints. The signing
secret is returned once, on creation and on rotation.
"""
from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from oms.auth import Principal
from oms.clock import now
from oms.enums import WebhookDeliveryStatus, WebhookEventType
from oms.errors import DomainError, ErrorCode, Problems
from oms.models import WebhookDelivery, WebhookEndpoint
from oms.text import check_length
from oms.token_limits import check_channels_within
from oms.uow import UnitOfWork
from oms.webhooks.destinations import private_destination, url_problem
from oms.webhooks.transitions import DELIVERY, OPEN

SECRET_PREFIX = "whsec_"
MAX_PAGE = 100


@dataclass(frozen=True)
class EndpointSpec:
    url: str
    events: list[WebhookEventType]
    id: str | None = None
    channels: list[str] = field(default_factory=list)
    active: bool = True


@dataclass(frozen=True)
class Saved:
    """An endpoint, and its secret when it was just made (creation, rotation)."""

    endpoint: WebhookEndpoint
    secret: str | None = None


def reaches(principal: Principal | None, channels: Sequence[str]) -> bool:
    """Whether the caller may see and change an endpoint for `channels` (None: the operator)."""
    return principal is None or not principal.channels or (
        bool(channels) and all(principal.sees_channel(c) for c in channels))


def alert_filter(principal: Principal) -> Callable[[dict[str, Any]], bool]:
    """Which `webhook.endpoint_disabled` payloads `principal` is told of: those of endpoints
    it may see."""
    return lambda payload: reaches(principal, payload.get("channels") or [])


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


async def _check(principal: Principal | None, spec: EndpointSpec, allow_private: bool) -> None:
    problems = Problems()
    url = spec.url.strip()
    reason = url_problem(url)
    if reason:
        problems.add(ErrorCode.INVALID_URL, reason, "url")
    check_length(problems, url, WebhookEndpoint, "url", "url")
    if not reason and not allow_private:
        address = await private_destination(url)
        if address:
            problems.add(ErrorCode.PRIVATE_DESTINATION, f"{address} is a private, loopback or "
                         "link-local destination (allowed only with OMS_WEBHOOK_ALLOW_PRIVATE)",
                         "url")
    if not spec.events:
        problems.add(ErrorCode.INVALID_INPUT, "name at least one event type", "events")
    await check_channels_within(problems, principal, spec.channels, "an endpoint", "channels")
    problems.raise_if_any()


async def upsert_endpoint(uow: UnitOfWork, principal: Principal | None, spec: EndpointSpec,
                          allow_private: bool) -> Saved:
    """Create an endpoint (no id; its secret is returned) or replace the one with `spec.id`.
    Reactivating one starts its failure count afresh."""
    await _check(principal, spec, allow_private)
    values: dict[str, Any] = dict(url=spec.url.strip(), events=[str(e) for e in dict.fromkeys(spec.events)],
                  channels=sorted(set(spec.channels)), active=spec.active)
    if spec.id is None:
        secret = new_secret()
        return Saved(await WebhookEndpoint.create(id=uuid.uuid4(), secret=secret, **values),
                     secret)
    endpoint = await _endpoint(principal, spec.id)
    if spec.active and not endpoint.active:
        endpoint.consecutive_failures, endpoint.disabled_at = 0, None
    await endpoint.update_from_dict(values).save()
    return Saved(endpoint)


async def delete_endpoint(uow: UnitOfWork, principal: Principal | None,
                          endpoint_id: str) -> WebhookEndpoint:
    """Delete an endpoint and its delivery log; nothing more is sent to it."""
    endpoint = await _endpoint(principal, endpoint_id)
    await endpoint.delete()
    return endpoint


async def rotate_secret(uow: UnitOfWork, principal: Principal | None, endpoint_id: str) -> Saved:
    """A new signing secret, used from the next attempt on (retries included)."""
    endpoint = await _endpoint(principal, endpoint_id)
    endpoint.secret = new_secret()
    await endpoint.save(update_fields=["secret", "updated_at"])
    return Saved(endpoint, endpoint.secret)


async def redeliver(uow: UnitOfWork, principal: Principal | None,
                    delivery_id: str) -> WebhookDelivery:
    """Make a delivery due now, whatever became of it: the sender attempts it next for its
    endpoint (one attempt more, counted with the others), with the same event id. One
    being attempted at this moment is left to that attempt."""
    delivery = await _delivery(principal, delivery_id)
    endpoint = await WebhookEndpoint.get(id=delivery.endpoint_id)
    if not endpoint.active:
        raise DomainError.of(ErrorCode.ENDPOINT_INACTIVE, "the endpoint is inactive: "
                             "set it active again first", "deliveryId")
    if delivery.status in OPEN and delivery.claimed_until and delivery.claimed_until > now():
        return delivery  # being sent right now
    previous = WebhookDeliveryStatus(delivery.status)
    if previous not in OPEN:
        DELIVERY.move(delivery, WebhookDeliveryStatus.PENDING, "deliveryId")
    delivery.next_attempt_at = now()
    await DELIVERY.persist(delivery, previous, "next_attempt_at")
    return delivery


async def list_endpoints(principal: Principal | None) -> list[WebhookEndpoint]:
    """The endpoints the caller may see, oldest first."""
    rows = await WebhookEndpoint.all().order_by("created_at", "id")
    return [row for row in rows if reaches(principal, row.channels)]


async def deliveries(endpoint_id: object, first: int,
                     status: WebhookDeliveryStatus | None = None) -> list[WebhookDelivery]:
    """An endpoint's delivery log, newest first, at most `first` (up to MAX_PAGE)."""
    query = WebhookDelivery.filter(endpoint_id=endpoint_id)
    if status is not None:
        query = query.filter(status=status)
    return list(await query.order_by("-id").limit(max(0, min(first, MAX_PAGE))))


async def _endpoint(principal: Principal | None, endpoint_id: str) -> WebhookEndpoint:
    found = await WebhookEndpoint.get_or_none(id=_uuid(endpoint_id))
    if found is None or not reaches(principal, found.channels):
        raise DomainError.of(ErrorCode.NOT_FOUND, f"no webhook endpoint {endpoint_id}", "id")
    return found


async def _delivery(principal: Principal | None, delivery_id: str) -> WebhookDelivery:
    found = (await WebhookDelivery.get_or_none(id=int(delivery_id)).prefetch_related("endpoint")
             if delivery_id.isdigit() and len(delivery_id) < 19 else None)
    if found is None or not reaches(principal, found.endpoint.channels):
        raise DomainError.of(ErrorCode.NOT_FOUND, f"no webhook delivery {delivery_id}",
                             "deliveryId")
    return found


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
