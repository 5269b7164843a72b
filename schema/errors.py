"""What a client may see of an error, and what the log keeps.

A refusal (a domain error, an access error, a coded GraphQL error, a validation or
parse error) reaches the client as it is, coded: errors graphql-core makes without a
code (validation, variables, syntax) get `BAD_USER_INPUT`, as Apollo does; the log
gets one line. Anything else is a fault of ours: the client gets a masked error
with an `errorId`, the log gets that id with the traceback. A database that cannot
be reached (or does not answer in time) answers `SERVICE_UNAVAILABLE`, logged as one
line: over HTTP with `Retry-After`, and status 503 when nothing could be answered.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from oms import db
from oms.errors import AccessDenied, DomainError
from oms.http import LOG_KEY

log = logging.getLogger("oms.api")
INTERNAL = "INTERNAL_SERVER_ERROR"
UNAVAILABLE = "SERVICE_UNAVAILABLE"
BAD_USER_INPUT = "BAD_USER_INPUT"
CLIENT_ERRORS = (GraphQLError, DomainError, AccessDenied)
RETRY_AFTER_SECONDS = 1


def refused(exc: DomainError) -> GraphQLError:
    """A domain refusal met while answering a query (no payload to carry userErrors): a
    GraphQL error coded with its first problem, and the input field it is about."""
    first = exc.problems[0]
    extensions: dict[str, object] = {"code": str(first.code)}
    if first.field:
        extensions["field"] = list(first.field)
    return GraphQLError(str(exc), extensions=extensions)


def unexpected(error: GraphQLError) -> bool:
    """Whether `error` is a fault of ours rather than a refusal of the request."""
    original = error.original_error
    return original is not None and not isinstance(original, CLIENT_ERRORS)


def masked(error: GraphQLError) -> GraphQLError:
    """The client's view of an unexpected error; its traceback is logged with the same id
    (an unreachable database is not a fault of ours: one line says what failed)."""
    error_id = uuid.uuid4().hex[:16]
    original = error.original_error
    assert original is not None
    code = UNAVAILABLE if db.unreachable(original) else INTERNAL
    if code == UNAVAILABLE:
        log.warning("%s errorId=%s path=%s: %s: %s", code, error_id, error.path,
                    type(original).__name__, original)
    else:
        log.error("%s errorId=%s path=%s", code, error_id, error.path,
                  exc_info=(type(original), original, original.__traceback__))
    message = ("the database is unreachable; try again shortly" if code == UNAVAILABLE
               else f"internal error (errorId {error_id})")
    return GraphQLError(message, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path,
                        extensions={"code": code, "errorId": error_id})


def coded(error: GraphQLError) -> GraphQLError:
    if unexpected(error):
        return masked(error)
    if not (error.extensions or {}).get("code"):
        error.extensions = {**(error.extensions or {}), "code": BAD_USER_INPUT}
    return error


class ClientErrors(SchemaExtension):
    """Codes every error of a result and masks the unexpected ones (see the module doc)."""

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Each result a subscription sends, a fault in its event stream included (which
        otherwise reaches the client as the bare exception's text)."""
        if result.errors:
            result.errors = [coded(error) for error in result.errors]
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result: Any = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        if errors:
            result.errors = [coded(error) for error in errors]
        note(self.execution_context.context, _operation_name(self.execution_context), errors)


def note(context: Any, operation: str | None, errors: list[GraphQLError]) -> None:
    """What the request's log line should say (see `oms.http`)."""
    entry = getattr(getattr(context, "request", None), "scope", {}).get(LOG_KEY)
    if entry is None:
        return
    if operation or "operation" not in entry:
        entry["operation"] = operation
    principal = getattr(context, "_principal", None)
    entry["token"] = principal.token_id if principal else None
    faults = [e for e in errors if (e.extensions or {}).get("code") in (INTERNAL, UNAVAILABLE)]
    entry["outcome"] = "fault" if faults else "refused" if errors else "ok"


def ask_to_retry(context: Any, result: Any) -> None:
    """An answer the database could not give carries `Retry-After`; with nothing answered
    at all (no data), the status is 503, as for any unavailable service."""
    response = getattr(context, "response", None)
    if response is None or not any((e.extensions or {}).get("code") == UNAVAILABLE
                                   for e in result.errors):
        return
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if result.data is None:
        response.status_code = 503


def _operation_name(context: Any) -> str | None:
    """The name the client gave, else the name in the document of the operation run."""
    if context.operation_name:
        return str(context.operation_name)
    document = context.graphql_document
    for definition in getattr(document, "definitions", ()):
        if isinstance(definition, OperationDefinitionNode) and definition.name:
            return str(definition.name.value)
    return None


class OmsSchema(strawberry.Schema):
    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        """Every HTTP answer, parse and validation refusals included, leaves coded and masked
        (ClientErrors does the same for each result a subscription sends)."""
        result = await super().execute(*args, **kwargs)
        if result.errors:
            result.errors = [coded(error) for error in result.errors]
            ask_to_retry(kwargs.get("context_value"), result)
        note(kwargs.get("context_value"), kwargs.get("operation_name"), result.errors or [])
        return result

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """One log line per refusal, no traceback (faults are logged when masked)."""
        for error in errors:
            if not unexpected(error):
                code = (error.extensions or {}).get("code", BAD_USER_INPUT)
                log.info("refused %s: %s", code, error.message)
