"""What a websocket may do, for as long as it is open.

- Browsers may open one only from the server's own origin or an allowed one
  (`OMS_ALLOWED_ORIGINS`, checked by Strawberry at the handshake).
- A socket whose token is revoked (in any process) or reaches its expiry is closed
  at once with 4403; until it is, every new subscribe on it is refused.
- At most `OMS_MAX_SUBSCRIPTIONS_PER_CONNECTION` subscriptions run on one socket.
- A token holds at most its `maxConnections` (else `OMS_MAX_CONNECTIONS_PER_TOKEN`) open
  sockets across every server process; one more is closed at `connection_init` with 4429.
"""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any, TypeVar

from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError

from oms import telemetry
from oms.auth import Principal
from oms.clock import now
from oms.errors import ErrorCode
from oms.events.hub import Hub
from oms.ratelimit import LEASE_SECONDS, ConnectionLease
from oms.runtime import Runtime
from resolvers.base import refusal
from resolvers.throttle import max_connections
from schema.context import Info

T = TypeVar("T")
CLOSED_FOR_TOKEN = 4403
TOO_MANY_CONNECTIONS = 4429
GUARD_KEY = "oms_socket_guard"
CLOSE_KEY = "oms_close_with"


class SocketGuard:
    """Closes `websocket` when its principal's token is revoked or expires."""

    def __init__(self, websocket: WebSocket, hub: Hub, principal: Principal,
                 lease: ConnectionLease) -> None:
        self.websocket = websocket
        self.principal = principal
        self.lease = lease
        self._renewing = asyncio.ensure_future(self._renew()) if lease.counted else None
        self._unwatch = hub.watch_token(principal.token_id, self._close_soon)
        self._timer: asyncio.TimerHandle | None = None
        if principal.expires_at is not None:
            delay = max(0.0, (principal.expires_at - now()).total_seconds())
            self._timer = asyncio.get_running_loop().call_later(delay, self._close_soon)
        self._closing: asyncio.Task[None] | None = None

    def _close_soon(self) -> None:
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close())

    async def _close(self) -> None:
        if self.websocket.application_state is WebSocketState.CONNECTED:
            reason = "token expired" if self.principal.expired() else "token revoked"
            with contextlib.suppress(RuntimeError):  # the client closed it meanwhile
                await self.websocket.close(code=CLOSED_FOR_TOKEN, reason=reason)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(LEASE_SECONDS / 3)
            await self.lease.renew()

    async def stop(self) -> None:
        self._unwatch()
        if self._timer is not None:
            self._timer.cancel()
        if self._renewing is not None:
            self._renewing.cancel()
        await self.lease.release()


async def guard(scope: dict[str, Any], websocket: WebSocket, runtime: Runtime,
                principal: Principal) -> None:
    """Take one of the token's connection slots and guard the socket of `scope` (until
    `unguard`); with no slot left, refuse the connection (closed with 4429)."""
    lease = await runtime.rate_limits.lease(principal.token_id, max_connections(principal, runtime))
    if lease is None:
        scope.setdefault("state", {})[CLOSE_KEY] = (
            TOO_MANY_CONNECTIONS, "too many open connections for this token")
        raise ConnectionRejectionError()
    scope.setdefault("state", {})[GUARD_KEY] = SocketGuard(websocket, runtime.hub, principal, lease)


async def unguard(scope: dict[str, Any]) -> None:
    found = scope.get("state", {}).pop(GUARD_KEY, None)
    if found is not None:
        await found.stop()


class ClosingAdapter(ASGIWebSocketAdapter):
    """Strawberry's websocket adapter, closing with our code when we refused the
    connection for a reason of our own (Strawberry closes every refusal with 4403)."""

    async def close(self, code: int, reason: str) -> None:
        code, reason = self.ws.scope.get("state", {}).pop(CLOSE_KEY, (code, reason))
        await super().close(code, reason)


def counted(info: Info, stream: AsyncGenerator[T, None]) -> AsyncGenerator[T, None]:
    """`stream`, counted against the socket's subscription cap (refused over it)."""
    context = info.context
    runtime = context.runtime
    cap = runtime.settings.max_subscriptions_per_connection if runtime else None
    if cap is not None and context.open_subscriptions >= cap:
        raise refusal(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                      f"at most {cap} subscriptions may run on one connection")
    context.open_subscriptions += 1
    return _released(context, stream)


async def _released(context: Any, stream: AsyncGenerator[T, None]) -> AsyncGenerator[T, None]:
    telemetry.SUBSCRIPTIONS.inc()
    try:
        async for item in stream:
            yield item
    finally:
        telemetry.SUBSCRIPTIONS.dec()
        context.open_subscriptions -= 1
        await stream.aclose()
