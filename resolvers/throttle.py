"""Who a request is counted against, and how a request over its limit is answered.

Every HTTP request to /graphql counts one against its token (the token's own
`rateLimit`, else `OMS_RATE_LIMIT_PER_MINUTE`), or, without a valid token, against
the client's address (`OMS_ANONYMOUS_RATE_LIMIT_PER_MINUTE`). Over the limit the
answer is HTTP 429 with `Retry-After` and a GraphQL error coded RATE_LIMITED, before
the body is parsed. The principal found here is handed on to the request's context,
so the token is read once.
"""
from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import orjson

from oms.auth import Principal, authenticate, bearer_secret, hash_secret
from oms.errors import AccessDenied, ErrorCode
from oms.http import LOG_KEY
from oms.ratelimit import Refusal
from oms.runtime import Runtime

PRINCIPAL_KEY = "oms_principal"


async def admit(scope: dict[str, Any], send: Any, runtime: Runtime) -> bool:
    """Count this HTTP request; False (and a 429 sent) when it is over its limit."""
    limit, key = _bucket(scope, runtime, await _principal(scope))
    refusal = await runtime.rate_limits.hit(key, limit)
    if refusal is None:
        return True
    scope.get(LOG_KEY, {})["outcome"] = "refused"
    await _too_many(send, refusal)
    return False


def _bucket(scope: dict[str, Any], runtime: Runtime,
            principal: Principal | _Unchecked | None) -> tuple[int, str]:
    """The limit and the key a request is counted against."""
    settings = runtime.settings
    if isinstance(principal, _Unchecked):
        # The database is down (the request's own handling answers SERVICE_UNAVAILABLE):
        # counted against its secret at the server's default, not its address, whose
        # anonymous limit turned valid tokens away with 429 under load.
        return settings.rate_limit_per_minute, f"secret:{hash_secret(principal.secret)[:32]}"
    if principal is None:
        return settings.anonymous_rate_limit_per_minute, f"ip:{_client(scope)}"
    scope.setdefault("state", {})[PRINCIPAL_KEY] = principal
    own = principal.rate_limit
    return own if own is not None else settings.rate_limit_per_minute, f"token:{principal.token_id}"


def principal_of(scope: MutableMapping[str, Any]) -> Principal | None:
    """The principal `admit` authenticated for this request, if any."""
    found: Principal | None = scope.get("state", {}).get(PRINCIPAL_KEY)
    return found


def max_connections(principal: Principal, runtime: Runtime) -> int:
    own = principal.max_connections
    return own if own is not None else runtime.settings.max_connections_per_token


async def _principal(scope: dict[str, Any]) -> Principal | _Unchecked | None:
    header = dict(scope.get("headers") or []).get(b"authorization")
    secret = bearer_secret(header.decode("latin-1")) if header else None
    if secret is None:
        return None
    try:
        return await authenticate(secret)
    except AccessDenied:
        return None  # counted by address; the context refuses it as UNAUTHENTICATED
    except Exception:  # e.g. the database is down
        return _Unchecked(secret)


class _Unchecked:
    """A bearer secret that could not be checked, for want of the database."""

    def __init__(self, secret: str) -> None:
        self.secret = secret


def _client(scope: dict[str, Any]) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def _too_many(send: Any, refusal: Refusal) -> None:
    body = orjson.dumps({"data": None, "errors": [{
        "message": f"rate limit of {refusal.limit} requests a minute reached: retry in "
                   f"{refusal.retry_after} s",
        "extensions": {"code": str(ErrorCode.RATE_LIMITED), "retryAfter": refusal.retry_after,
                       "limit": refusal.limit}}]})
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(refusal.retry_after).encode())]})
    await send({"type": "http.response.body", "body": body})
