"""The typed per-request (and per-subscription-event) context: caller, loaders, runtime."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphql import GraphQLError
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from oms.auth import Principal, authenticate
from oms.errors import AccessDenied, ErrorCode
from oms.runtime import Runtime

K = TypeVar("K")
V = TypeVar("V")
BatchFn = Callable[[Sequence[Any]], Awaitable[Sequence[Any]]]


class Loaders:
    """DataLoaders made on first use and kept for one request (or one subscription event)."""

    def __init__(self) -> None:
        self._loaders: dict[BatchFn, DataLoader[Any, Any]] = {}

    def __call__(self, batch: BatchFn) -> DataLoader[Any, Any]:
        loader = self._loaders.get(batch)
        if loader is None:
            loader = self._loaders[batch] = DataLoader(load_fn=batch)
        return loader


# Set by subscriptions before each event they yield. The websocket's one Context lives as
# long as the socket, so its own loaders would cache forever; each operation runs in its
# own task, so the variable keeps one operation's events apart from another's.
_event_loaders: ContextVar[Loaders | None] = ContextVar("event_loaders", default=None)


def fresh_loaders_for_event() -> None:
    """Subscriptions call this before each event: that event's fields load afresh."""
    _event_loaders.set(Loaders())


def access_error(exc: AccessDenied) -> GraphQLError:
    return GraphQLError(str(exc), extensions={"code": str(exc.code)})


@dataclass
class Context:
    runtime: Runtime | None
    secret: str | None
    request: Any = None
    response: Any = None
    request_loaders: Loaders = field(default_factory=Loaders)
    _principal: Principal | None = None
    _memo: dict[str, Any] = field(default_factory=dict)
    open_subscriptions: int = 0
    # The websocket's `connection_init` payload (strawberry fills it only if the field exists).
    connection_params: dict[str, Any] = field(default_factory=dict)

    @property
    def loaders(self) -> Loaders:
        """This request's loaders, or, inside a subscription event, that event's."""
        return _event_loaders.get() or self.request_loaders

    async def memo(self, key: str, make: Callable[[], Awaitable[Any]]) -> Any:
        """`make()` once per request (or subscription event), e.g. what the caller may see."""
        found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            found = self._memo[key] = await make()
        return found

    async def principal(self) -> Principal:
        """The authenticated caller (UNAUTHENTICATED error when the token is missing or bad,
        or, on an open websocket, was revoked or expired since it connected)."""
        if self._principal is not None and self._lapsed(self._principal):
            raise access_error(AccessDenied(ErrorCode.UNAUTHENTICATED, "token revoked or expired"))
        if self._principal is None:
            try:
                self._principal = await authenticate(self.secret)
            except AccessDenied as exc:
                raise access_error(exc) from None
        return self._principal

    def _lapsed(self, principal: Principal) -> bool:
        hub = self.runtime.hub if self.runtime else None
        return principal.expired() or (hub is not None and hub.revoked(principal.token_id))

    async def require(self, *scopes: str) -> Principal:
        """The caller, if it holds one of `scopes` (else FORBIDDEN)."""
        return await self.allowed(lambda principal: principal.require(*scopes))

    async def allowed(self, check: Callable[[Principal], None]) -> Principal:
        """The caller, if `check` (which raises AccessDenied to refuse) lets it through."""
        principal = await self.principal()
        try:
            check(principal)
        except AccessDenied as exc:
            raise access_error(exc) from None
        return principal


Info = StrawberryInfo[Context, Any]
_MISSING = object()
