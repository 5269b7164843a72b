"""Messages to customers, and the 'tell me when it is back' registrations."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from oms.enums import NotificationKind, NotificationStatus

if TYPE_CHECKING:
    from oms.models.catalog import Channel
    from oms.models.orders import Order


class Notification(Model):
    """One message to one recipient: created with the change it tells of (same transaction),
    rendered and sent by the sender loop (`oms.notifications.sender`). At most one per order
    and kind; a back-in-stock notice has no order."""

    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyNullableRelation[Order] = fields.ForeignKeyField(
        "oms.Order", related_name="notifications", null=True, on_delete=fields.CASCADE
    )
    order_id: str | None
    channel: fields.ForeignKeyRelation[Channel] = fields.ForeignKeyField(
        "oms.Channel", related_name="notifications", on_delete=fields.CASCADE
    )
    channel_id: int
    kind = fields.CharEnumField(NotificationKind, max_length=24)
    recipient = fields.CharField(max_length=320)
    medium = fields.CharField(max_length=16, default="EMAIL")
    language = fields.CharField(max_length=8)
    "The facts of the event the templates render (carrier, tracking, lines, SKU...)."
    context: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    status = fields.CharEnumField(NotificationStatus, max_length=16, default=NotificationStatus.QUEUED)
    "What was rendered for sending (null until the sender first takes it)."
    subject = fields.CharField(max_length=500, null=True)
    body_text = fields.TextField(null=True)
    body_html = fields.TextField(null=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    "A sender process holds it until then (a claim, not a lock: another may take it after)."
    claimed_until = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=1000, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"
        unique_together = (("order", "kind"),)
        "The sender reads the due ones."
        indexes = (("status", "next_attempt_at"),)


class BackInStockRequest(Model):
    """An email waiting for a SKU to be promisable again in a channel, deleted once told."""

    id = fields.BigIntField(primary_key=True)
    channel: fields.ForeignKeyRelation[Channel] = fields.ForeignKeyField(
        "oms.Channel", related_name="back_in_stock_requests", on_delete=fields.CASCADE
    )
    channel_id: int
    sku = fields.CharField(max_length=64)
    email = fields.CharField(max_length=320)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "back_in_stock_request"
        unique_together = (("channel", "sku", "email"),)
        "A restock looks up the requests of its SKUs."
        indexes = (("sku",),)
