"""The one way a mutation runs: authorize, one unit of work, refusals as userErrors."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from graphql import GraphQLError
from strawberry.types.nodes import SelectedField

from oms.auth import Principal
from oms.errors import DomainError, ErrorCode
from oms.uow import UnitOfWork, run_in_unit_of_work
from schema.common import UserError
from schema.context import Info

T = TypeVar("T")
U = TypeVar("U")


@dataclass
class Outcome(Generic[T]):
    value: T | None = None
    user_errors: list[UserError] = field(default_factory=list)

    def map(self, fn: Callable[[T], U]) -> U | None:
        return None if self.value is None else fn(self.value)


async def mutate(
    info: Info, scopes: tuple[str, ...],
    work: Callable[[UnitOfWork, Principal], Awaitable[T]],
) -> Outcome[T]:
    """Run `work` in one transaction as the caller (again if it was a deadlock victim);
    a DomainError rolls back into userErrors."""
    principal = await info.context.require(*scopes)
    try:
        runtime = info.context.runtime
        value = await run_in_unit_of_work(principal.name, lambda uow: work(uow, principal),
                                          runtime.after_commit if runtime else None)
        return Outcome(value=value)
    except DomainError as exc:
        return Outcome(user_errors=[UserError.of(p) for p in exc.problems])


def refusal(code: ErrorCode, message: str, field: tuple[str, ...] | None = None) -> GraphQLError:
    """A query-level refusal (no payload to carry userErrors): a GraphQL error with a code
    (and the input field it is about)."""
    extensions: dict[str, object] = {"code": str(code)}
    if field:
        extensions["field"] = list(field)
    return GraphQLError(message, extensions=extensions)


async def answer(work: Awaitable[T]) -> T:
    """Run a query's domain call: a DomainError becomes the one refusal shape of queries,
    a GraphQL error coded with its first problem. (Something absent is null, not an error.)"""
    try:
        return await work
    except DomainError as exc:
        first = exc.problems[0]
        raise refusal(first.code, str(exc), first.field) from None


def selects(info: Info, name: str) -> bool:
    """Whether the query asks for the child field `name` (by its GraphQL name) of this field,
    directly or through fragments: the domain then computes only what is shown."""
    def walk(selections: list) -> bool:
        for sel in selections:
            if isinstance(sel, SelectedField):
                if sel.name == name:
                    return True
            elif walk(sel.selections):
                return True
        return False

    return any(walk(field.selections) for field in info.selected_fields)
