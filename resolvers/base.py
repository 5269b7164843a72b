"""The one way a mutation runs: authorize, one unit of work, refusals as userErrors."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from graphql import GraphQLError
from strawberry.types.nodes import SelectedField

from oms import audit
from oms.auth import Principal
from oms.errors import DomainError, ErrorCode
from oms.uow import UnitOfWork, run_in_unit_of_work
from schema.common import UserError
from schema.context import Info
from schema.errors import refused

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
    audit: Callable[[T], str | None] | None = None,
    audit_details: Callable[[], dict[str, Any]] | None = None,
) -> Outcome[T]:
    """Run `work` in one transaction as the caller (again if it was a deadlock victim);
    a DomainError rolls back into userErrors. With `audit` (what the change is about, from
    its result), an audit entry of the mutation is written in the same transaction, with
    its arguments (or `audit_details()`, for bulk ones)."""
    principal = await info.context.require(*scopes)

    async def run(uow: UnitOfWork) -> T:
        value = await work(uow, principal)
        if audit is not None:
            await record_audit(uow, principal, info, audit(value),
                               audit_details() if audit_details else None)
        return value

    try:
        runtime = info.context.runtime
        value = await run_in_unit_of_work(principal.name, run,
                                          runtime.after_commit if runtime else None,
                                          runtime.payments if runtime else None)
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
        raise refused(exc) from None


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


async def record_audit(uow: UnitOfWork, principal: Principal, info: Info,
                       target: str | None, details: dict[str, Any] | None) -> None:
    field = info.selected_fields[0] if info.selected_fields else None
    arguments = details if details is not None else (
        field.arguments if isinstance(field, SelectedField) else {})
    request = info.context.request
    client = getattr(request, "client", None)
    await audit.record(uow, principal, info.field_name, target, dict(arguments),
                       client.host if client else None)
