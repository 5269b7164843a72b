from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class ApiToken(Model):
    """An opaque bearer token. Only a SHA-256 hash of the secret is stored."""

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    secret_hash = fields.CharField(max_length=64, unique=True)
    scopes: fields.Field[list[str]] = fields.JSONField(default=list)
    channels: fields.Field[list[str]] = fields.JSONField(default=list)
    "Node codes a node-scoped token may work on (fulfillment); empty = every node."
    nodes: fields.Field[list[str]] = fields.JSONField(default=list)
    customer_ref = fields.CharField(max_length=200, null=True)
    "A company's token (a buyer's portal): it places and sees that company's orders only."
    company_code = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    "Last request made with it, to the minute (written at most once a minute)."
    last_used_at = fields.DatetimeField(null=True)
    "Requests a minute and open websockets it may have; null = the server's default, 0 = none."
    rate_limit = fields.IntField(null=True)
    max_connections = fields.IntField(null=True)

    class Meta:
        table = "api_token"


class AuditEntry(Model):
    """One change made through the API by hand (configuration, stock, routing, tokens, an
    order's path), written in the transaction of the change itself."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor = fields.CharField(max_length=200)
    token_id = fields.UUIDField(null=True)
    action = fields.CharField(max_length=64, db_index=True)
    target = fields.CharField(max_length=200, null=True)
    details: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    ip = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "audit_entry"
