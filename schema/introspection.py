"""Who may introspect the schema: everyone in development (and the demo); in production
(`OMS_ENV=production`) nobody unless `OMS_INTROSPECTION=on`, and then authenticated tokens
only. A refused operation never runs (`INTROSPECTION_DISABLED`, or UNAUTHENTICATED)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult, FieldNode, GraphQLError, Node
from strawberry.extensions import SchemaExtension

from oms.errors import AccessDenied

FIELDS = frozenset({"__schema", "__type"})
"`__typename` is not introspection of the schema: always allowed."


def introspects(document: Any) -> bool:
    """Whether the document asks for `__schema` or `__type` anywhere (fragments included)."""
    stack: list[Any] = list(getattr(document, "definitions", ()))
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode) and node.name.value in FIELDS:
            return True
        for key in getattr(node, "keys", ()):
            value = getattr(node, key, None)
            for child in value if isinstance(value, tuple | list) else (value,):
                if isinstance(child, Node):
                    stack.append(child)
    return False


def introspection_guard(allowed: bool, authenticated_only: bool) -> type[SchemaExtension]:
    class IntrospectionGuard(SchemaExtension):
        async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
            context = self.execution_context
            if context.graphql_document is not None and introspects(context.graphql_document):
                refusal = await _refusal(context.context, allowed, authenticated_only)
                if refusal is not None:
                    context.result = ExecutionResult(data=None, errors=[refusal])
            yield

    return IntrospectionGuard


async def _refusal(context: Any, allowed: bool, authenticated_only: bool) -> GraphQLError | None:
    if not allowed:
        return GraphQLError("introspection is disabled on this server",
                            extensions={"code": "INTROSPECTION_DISABLED"})
    if authenticated_only:
        try:
            await context.principal()
        except GraphQLError as exc:
            return exc
        except AccessDenied as exc:  # pragma: no cover - principal() raises GraphQLError
            return GraphQLError(str(exc), extensions={"code": str(exc.code)})
    return None

