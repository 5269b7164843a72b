"""The typed per-request (and per-subscription-event) context: caller, loaders, runtime."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphql import GraphQLError
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from oms.auth import Principal, authenticate
from oms.errors import AccessDenied
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


def access_error(exc: AccessDenied) -> GraphQLError:
    return GraphQLError(str(exc), extensions={"code": exc.code})


@dataclass
class Context:
    runtime: Runtime | None
    secret: str | None
    request: Any = None
    response: Any = None
    loaders: Loaders = field(default_factory=Loaders)
    _principal: Principal | None = None

    async def principal(self) -> Principal:
        """The authenticated caller (UNAUTHENTICATED error when the token is missing or bad)."""
        if self._principal is None:
            try:
                self._principal = await authenticate(self.secret)
            except AccessDenied as exc:
                raise access_error(exc) from None
        return self._principal

    async def require(self, *scopes: str) -> Principal:
        """The caller, if it holds one of `scopes` (else FORBIDDEN)."""
        principal = await self.principal()
        try:
            principal.require(*scopes)
        except AccessDenied as exc:
            raise access_error(exc) from None
        return principal

    def fresh(self) -> Context:
        """Same caller, new loaders: used per subscription event so nothing stale is served."""
        return Context(self.runtime, self.secret, self.request, None, Loaders(), self._principal)


Info = StrawberryInfo[Context, Any]
