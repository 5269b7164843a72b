"""Webhook endpoints (systems told of what happens) and the deliveries made to them."""
from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from oms.enums import WebhookDeliveryStatus


class WebhookEndpoint(Model):
    """Where events are POSTed. The secret is kept as given (not hashed): every delivery is
    signed with it."""

    id = fields.UUIDField(primary_key=True)
    url = fields.CharField(max_length=2000)
    events: fields.Field[list[str]] = fields.JSONField(default=list)
    "Empty = events of every channel."
    channels: fields.Field[list[str]] = fields.JSONField(default=list)
    active = fields.BooleanField(default=True)
    secret = fields.CharField(max_length=100)
    consecutive_failures = fields.IntField(default=0)
    "When the failure limit deactivated it (null: never, or reactivated since)."
    disabled_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "webhook_endpoint"


class WebhookDelivery(Model):
    """One event for one endpoint, made from the outbox in the relay's transaction, and what
    became of sending it. `body` is the exact JSON sent on every attempt."""

    id = fields.BigIntField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "oms.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE)
    endpoint_id: str
    event_id = fields.CharField(max_length=100)
    event_type = fields.CharField(max_length=32)
    body = fields.TextField()
    status = fields.CharEnumField(WebhookDeliveryStatus, max_length=16,
                                 default=WebhookDeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    response_status = fields.IntField(null=True)
    error = fields.CharField(max_length=500, null=True)
    "When the next attempt is due (null once DELIVERED or FAILED)."
    next_attempt_at = fields.DatetimeField(null=True)
    "A sender holds it until then (`oms.webhooks.claims`); a claim lapses if its process dies."
    claimed_until = fields.DatetimeField(null=True)
    claim = fields.CharField(max_length=36, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_delivery"
        unique_together = (("endpoint_id", "event_id"),)
        "The sender looks for open deliveries due, and for each endpoint's oldest open one."
        indexes = (("endpoint_id", "status", "id"), ("status", "next_attempt_at"))
