"""API tokens."""
from __future__ import annotations

from datetime import datetime

import strawberry

from oms import models
from oms.auth import NewToken
from schema.common import UserError


@strawberry.type
class ApiToken:
    id: strawberry.ID
    name: str
    scopes: list[str]
    channels: list[str] = strawberry.field(description="Empty = every channel.")
    nodes: list[str] = strawberry.field(description="Node codes this token may work on; empty = all.")
    customer_ref: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked: bool

    @classmethod
    def of(cls, token: models.ApiToken) -> ApiToken:
        return cls(
            id=strawberry.ID(str(token.id)), name=token.name, scopes=list(token.scopes),
            channels=list(token.channels), nodes=list(token.nodes),
            customer_ref=token.customer_ref, created_at=token.created_at,
            expires_at=token.expires_at, revoked=token.revoked_at is not None,
        )


@strawberry.input
class CreateApiTokenInput:
    name: str
    scopes: list[str] = strawberry.field(
        description=(
            "Scopes: admin, availability:read, orders:read, orders:write,\n"
            "orders:read:own (a customer token: only orders with its customerRef),\n"
            "inventory:write, fulfillment:write, returns:write, routing:write."
        )
    )
    channels: list[str] | None = strawberry.field(default_factory=list)
    nodes: list[str] | None = strawberry.field(
        default_factory=list, description="Limit fulfillment work to these node codes."
    )
    customer_ref: str | None = None
    expires_at: datetime | None = None

    def to_spec(self) -> NewToken:
        return NewToken(
            name=self.name, scopes=list(self.scopes), channels=list(self.channels or []),
            nodes=list(self.nodes or []), customer_ref=self.customer_ref,
            expires_at=self.expires_at,
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
