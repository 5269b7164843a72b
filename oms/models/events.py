from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class OutboxEvent(Model):
    """An event written in the same transaction as the change it describes, and the relay publishes it."""

    id = fields.BigIntField(primary_key=True)
    topic = fields.CharField(max_length=64)
    payload: fields.Field[dict[str, Any]] = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)
    published_at = fields.DatetimeField(null=True, db_index=True)
    position = fields.BigIntField(null=True, unique=True)
    "Place in the one order in which events became visible (commit order): a replay cursor."

    class Meta:
        table = "outbox_event"


class OutboxSequence(Model):
    """The last outbox position handed out (one row). Relays bump it in the transaction that
    positions a batch, so batches get positions in the order they commit."""

    id = fields.IntField(primary_key=True)
    last_position = fields.BigIntField(default=0)

    class Meta:
        table = "outbox_sequence"
