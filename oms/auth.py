"""Scoped, revocable API tokens: opaque secrets of which only a hash is stored."""
from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections

from oms.catalog import check_node_codes
from oms.clock import now
from oms.db import json_list, placeholders
from oms.errors import AccessDenied, DomainError, ErrorCode, Problems
from oms.events.topics import TOKEN_REVOKED
from oms.models import ApiToken, Company
from oms.scopes import Scope
from oms.text import check_length
from oms.token_limits import check_channels_within, check_nodes_within, within_limits
from oms.uow import UnitOfWork

SCOPES = frozenset(Scope)
TOKEN_PREFIX = "oms_"
USE_RESOLUTION = timedelta(minutes=1)
MAX_LIMIT = 1_000_000
"The largest per-token request rate (a minute) or websocket count a token may be given."


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling, and what they may do."""

    token_id: str
    name: str
    scopes: frozenset[str]
    channels: frozenset[str]
    nodes: frozenset[str]
    customer_ref: str | None
    expires_at: datetime | None = None
    "The token's own request and websocket limits (None: the server's defaults; 0: none)."
    rate_limit: int | None = None
    max_connections: int | None = None
    "A company's token: it places and sees that company's orders only."
    company_code: str | None = None
    company_id: int | None = None

    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= now()

    @property
    def is_admin(self) -> bool:
        return Scope.ADMIN in self.scopes

    def has(self, scope: str) -> bool:
        return self.is_admin or scope in self.scopes

    def require(self, *scopes: str) -> None:
        """Raise FORBIDDEN unless the token holds one of `scopes`."""
        if not any(self.has(s) for s in scopes):
            raise AccessDenied(ErrorCode.FORBIDDEN, f"this token lacks the scope {' or '.join(scopes)}")

    def sees_channel(self, code: str) -> bool:
        return not self.channels or code in self.channels

    def sees_node(self, code: str) -> bool:
        return not self.nodes or code in self.nodes

    def sees_company_of(self, company_id: int | None) -> bool:
        """Whether an order of this company (None: none) is within a company limit."""
        return self.company_code is None or company_id == self.company_id

    @property
    def own_orders_only(self) -> bool:
        """A customer token: it sees only orders carrying its customerRef."""
        return not (self.has(Scope.ORDERS_READ) or self.has(Scope.ORDERS_WRITE)) and self.has(
            Scope.ORDERS_READ_OWN
        )


async def authenticate(secret: str | None) -> Principal:
    """The principal behind a bearer secret; UNAUTHENTICATED if missing, unknown, expired or revoked.

    Every request runs this, so it reads values with one prepared statement, not a model.
    """
    if not secret:
        raise AccessDenied(ErrorCode.UNAUTHENTICATED, "send Authorization: Bearer <token>")
    conn = connections.get("default")
    (mark,) = placeholders(conn, 1)
    rows = await conn.execute_query_dict(
        'SELECT "id", "name", "scopes", "channels", "nodes", "customer_ref", "expires_at", '
        '"revoked_at", "last_used_at", "rate_limit", "max_connections", "company_code", '
        '(SELECT "id" FROM "company" WHERE "code" = "api_token"."company_code") AS "company_id" '
        f'FROM "api_token" WHERE "secret_hash" = {mark}',
        [hash_secret(secret)])
    if not rows:
        raise AccessDenied(ErrorCode.UNAUTHENTICATED, "unknown token")
    token = rows[0]
    if token["revoked_at"] is not None:
        raise AccessDenied(ErrorCode.UNAUTHENTICATED, "token revoked")
    principal = Principal(
        token_id=str(token["id"]), name=token["name"], scopes=json_list(token["scopes"]),
        channels=json_list(token["channels"]), nodes=json_list(token["nodes"]),
        customer_ref=token["customer_ref"], expires_at=_moment(token["expires_at"]),
        rate_limit=token["rate_limit"], max_connections=token["max_connections"],
        company_code=token["company_code"], company_id=token["company_id"],
    )
    if principal.expired():
        raise AccessDenied(ErrorCode.UNAUTHENTICATED, "token expired")
    await _note_use(conn, token["id"], _moment(token["last_used_at"]))
    return principal


async def _note_use(conn: Any, token_id: object, last: datetime | None) -> None:
    """Keep `last_used_at` to the minute: one write a minute per token, not one a request."""
    moment = now()
    if last is not None and moment - last < USE_RESOLUTION:
        return
    stamp, token = placeholders(conn, 2)
    await conn.execute_query(f'UPDATE "api_token" SET "last_used_at" = {stamp} '
                             f'WHERE "id" = {token}', [moment, str(token_id)])


def _moment(value: datetime | str | None) -> datetime | None:
    """A timestamp column as an aware datetime (SQLite hands back text)."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def bearer_secret(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


@dataclass(frozen=True)
class NewToken:
    name: str
    scopes: list[str]
    channels: list[str]
    nodes: list[str]
    customer_ref: str | None = None
    expires_at: datetime | None = None
    rate_limit: int | None = None
    max_connections: int | None = None
    company_code: str | None = None


async def create_token(uow: UnitOfWork, creator: Principal | None,
                       spec: NewToken) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret (shown once). A limited creator (None:
    the operator at the CLI) makes it at most as wide as itself: within its channels and nodes."""
    problems = Problems()
    if not spec.name.strip():
        problems.add(ErrorCode.INVALID_INPUT, "name must not be empty", "name")
    check_length(problems, spec.name.strip(), ApiToken, "name", "name")
    check_length(problems, spec.customer_ref, ApiToken, "customer_ref", "customerRef")
    if not spec.scopes:
        problems.add(ErrorCode.INVALID_SCOPE, "give at least one scope", "scopes")
    for i, scope in enumerate(spec.scopes):
        if scope not in SCOPES:
            problems.add(ErrorCode.INVALID_SCOPE, f"unknown scope {scope!r}", "scopes", i)
    await check_channels_within(problems, creator, spec.channels, "a token", "channels")
    check_nodes_within(problems, creator, spec.nodes, "a token", "nodes")
    await check_node_codes(problems, spec.nodes, "nodes")
    if Scope.ORDERS_READ_OWN in spec.scopes and not spec.customer_ref:
        problems.add(ErrorCode.INVALID_INPUT, "orders:read:own needs a customerRef", "customerRef")
    await _check_company(problems, creator, spec.company_code)
    if spec.expires_at is not None and spec.expires_at <= now():
        problems.add(ErrorCode.INVALID_INPUT, "expiresAt is in the past", "expiresAt")
    for value, field in ((spec.rate_limit, "rateLimit"), (spec.max_connections, "maxConnections")):
        if value is not None and not 0 <= value <= MAX_LIMIT:
            problems.add(ErrorCode.INVALID_INPUT, f"{field} must be 0 (no limit) to {MAX_LIMIT}", field)
    problems.raise_if_any()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = await ApiToken.create(
        name=spec.name.strip(),
        secret_hash=hash_secret(secret),
        scopes=sorted(set(spec.scopes)),
        channels=sorted(set(spec.channels)),
        nodes=sorted(set(spec.nodes)),
        customer_ref=spec.customer_ref,
        expires_at=spec.expires_at,
        rate_limit=spec.rate_limit,
        max_connections=spec.max_connections,
        company_code=spec.company_code,
    )
    return token, secret


async def _check_company(problems: Problems, creator: Principal | None, code: str | None) -> None:
    """NOT_FOUND at companyCode for a company that does not exist, or one other than a
    company-limited creator's own (which makes tokens of its company only)."""
    foreign = creator is not None and creator.company_code not in (None, code)
    if foreign or (code is not None and not await Company.filter(code=code[:64]).exists()):
        problems.add(ErrorCode.NOT_FOUND, f"no company {code!r}", "companyCode")


async def revoke_token(uow: UnitOfWork, revoker: Principal | None, token_id: str) -> ApiToken:
    """Revoke a token the revoker sees (None: the operator); NOT_FOUND otherwise."""
    token = await _token(revoker, token_id)
    if token.revoked_at is not None:
        raise DomainError.of(ErrorCode.ALREADY_REVOKED, "token already revoked", "id")
    token.revoked_at = now()
    await token.save(update_fields=["revoked_at"])
    uow.record(TOKEN_REVOKED, {"token_id": str(token.id)})
    return token


async def _token(viewer: Principal | None, token_id: str) -> ApiToken:
    """The token with this id if `viewer` sees it: one wider than a limited viewer, or with
    other channels or nodes, is NOT_FOUND like one that does not exist."""
    try:
        token = await ApiToken.get_or_none(id=uuid.UUID(str(token_id)))
    except ValueError:  # not a UUID: no token has that id (PostgreSQL would refuse the query)
        token = None
    if token is None or not within_limits(viewer, token.channels, token.nodes):
        raise DomainError.of(ErrorCode.NOT_FOUND, f"no token {token_id}", "id")
    return token


async def list_tokens(viewer: Principal | None) -> list[ApiToken]:
    """The tokens `viewer` sees, oldest first: every one for an unlimited viewer (None: the
    operator), else those at most as wide as itself (`within_limits`)."""
    tokens = await ApiToken.all().order_by("created_at")
    return [t for t in tokens if within_limits(viewer, t.channels, t.nodes)]
