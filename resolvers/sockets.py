"""What a websocket may do, for as long as it is open.

- Browsers may open one only from the server's own origin or an allowed one
  (`OMS_ALLOWED_ORIGINS`, checked by Strawberry at the handshake).
- A socket whose token is revoked (in any process) or reaches its expiry is closed
  at once with 4403; until it is, every new subscribe on it is refused.
- At most `OMS_MAX_SUBSCRIPTIONS_PER_CONNECTION` subscriptions run on one socket.
"""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any, TypeVar

from starlette.websockets import WebSocket, WebSocketState

from oms.auth import Principal
from oms.clock import now
from oms.errors import ErrorCode
from oms.events.hub import Hub
from resolvers.base import refusal
from schema.context import Info

T = TypeVar("T")
CLOSED_FOR_TOKEN = 4403
GUARD_KEY = "oms_socket_guard"


class SocketGuard:
    """Closes `websocket` when its principal's token is revoked or expires."""

    def __init__(self, websocket: WebSocket, hub: Hub, principal: Principal) -> None:
        self.websocket = websocket
        self.principal = principal
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

    def stop(self) -> None:
        self._unwatch()
        if self._timer is not None:
            self._timer.cancel()


def guard(scope: dict[str, Any], websocket: WebSocket, hub: Hub, principal: Principal) -> None:
    """Start guarding the socket of `scope` (stopped by `unguard` when it ends)."""
    scope.setdefault("state", {})[GUARD_KEY] = SocketGuard(websocket, hub, principal)


def unguard(scope: dict[str, Any]) -> None:
    found = scope.get("state", {}).pop(GUARD_KEY, None)
    if found is not None:
        found.stop()


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
    try:
        async for item in stream:
            yield item
    finally:
        context.open_subscriptions -= 1
        await stream.aclose()
