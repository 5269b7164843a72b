from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class OutboxEvent(Model):
    """An event written in the same transaction as the change it describes, and the relay publishes it."""

    id = fields.BigIntField(primary_key=True)
    topic = fields.CharField(max_length=64)
    payload: fields.Field[dict] = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)
    published_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "outbox_event"
