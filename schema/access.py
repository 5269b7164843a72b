"""API tokens."""
from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from oms import audit, models
from oms.auth import NewToken
from schema.common import UserError


@strawberry.type
class ApiToken:
    id: strawberry.ID
    name: str
    scopes: list[str]
    channels: list[str] = strawberry.field(description="Empty = every channel.")
    nodes: list[str] = strawberry.field(
        description="Node codes a store or warehouse token is limited to; empty = every node.")
    customer_ref: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked: bool
    last_used_at: datetime | None = strawberry.field(
        description="Last request made with it, to the minute.")
    rate_limit: int | None = strawberry.field(
        default=None, description="Requests a minute it may make; null = the server's default, 0 = no limit.")
    max_connections: int | None = strawberry.field(
        default=None, description="Websockets it may hold open at once; null = the server's default, "
                                  "0 = no limit.")
    company_code: str | None = strawberry.field(
        default=None, description="A company's token: it places and sees that company's orders only.")

    @classmethod
    def of(cls, token: models.ApiToken) -> ApiToken:
        return cls(
            id=strawberry.ID(str(token.id)), name=token.name, scopes=list(token.scopes),
            channels=list(token.channels), nodes=list(token.nodes),
            customer_ref=token.customer_ref, created_at=token.created_at,
            expires_at=token.expires_at, revoked=token.revoked_at is not None,
            last_used_at=token.last_used_at, rate_limit=token.rate_limit,
            max_connections=token.max_connections, company_code=token.company_code,
        )


@strawberry.input
class CreateApiTokenInput:
    name: str
    scopes: list[str] = strawberry.field(
        description=(
            "Scopes: admin, availability:read, orders:read, orders:write,\n"
            "orders:read:own (a customer token: only orders with its customerRef),\n"
            "inventory:write, fulfillment:write, returns:write, routing:write, webhooks:write."
        )
    )
    channels: list[str] | None = strawberry.field(default_factory=list, description=(
        "Limit the token to these channels; empty = every channel. A channel-limited creator\n"
        "names some of its own channels (UNKNOWN_CHANNEL for others, INVALID_INPUT for none)."))
    nodes: list[str] | None = strawberry.field(default_factory=list, description=(
        "Limit fulfillment work to these node codes; empty = every node. A node-limited creator\n"
        "names some of its own nodes (NODE_NOT_ALLOWED for others, INVALID_INPUT for none)."))
    customer_ref: str | None = None
    expires_at: datetime | None = None
    rate_limit: int | None = strawberry.field(
        default=None, description="Requests a minute (over it: RATE_LIMITED); null = the server's "
                                  "default (OMS_RATE_LIMIT_PER_MINUTE), 0 = no limit.")
    max_connections: int | None = strawberry.field(
        default=None, description="Websockets open at once (over it the socket is closed with 4429); "
                                  "null = the server's default (OMS_MAX_CONNECTIONS_PER_TOKEN), "
                                  "0 = no limit.")
    company_code: str | None = strawberry.field(default=None, description=(
        "Limit the token to this company (a buyer's portal, like customerRef for a customer):\n"
        "its orders are the company's, and it sees no other company's orders."))

    def to_spec(self) -> NewToken:
        return NewToken(
            name=self.name, scopes=list(self.scopes), channels=list(self.channels or []),
            nodes=list(self.nodes or []), customer_ref=self.customer_ref,
            expires_at=self.expires_at, rate_limit=self.rate_limit,
            max_connections=self.max_connections, company_code=self.company_code,
        )


@strawberry.type
class CreateApiTokenPayload:
    token: ApiToken | None = None
    secret: str | None = strawberry.field(default=None, description="Shown once; only a hash is stored.")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RevokePayload:
    token: ApiToken | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="One change made through the API, and who made it.")
class AuditEntry:
    id: strawberry.ID
    at: datetime
    actor: str = strawberry.field(description="Name of the API token (never its secret).")
    token_id: strawberry.ID | None
    action: str = strawberry.field(description=(
        "The mutation's name, e.g. upsertChannel, syncInventory, overrideRouting, "
        "createApiToken."))
    target: str | None = strawberry.field(
        description="What was changed, e.g. channel:web, rule:12, order:WEB-000042.")
    details: JSON | None = strawberry.field(
        description="The mutation's arguments with secrets removed.")
    ip: str | None = strawberry.field(description="Client address as the server saw it.")

    @classmethod
    def of(cls, row: models.AuditEntry) -> AuditEntry:
        return cls(id=strawberry.ID(str(row.id)), at=row.at, actor=row.actor,
                   token_id=strawberry.ID(str(row.token_id)) if row.token_id else None,
                   action=row.action, target=row.target, details=cast(JSON, row.details),
                   ip=row.ip)


@strawberry.input
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    target: str | None = None
    after: datetime | None = None
    before: datetime | None = None

    def to_filter(self) -> audit.AuditFilter:
        return audit.AuditFilter(self.actor, self.action, self.target, self.after, self.before)
