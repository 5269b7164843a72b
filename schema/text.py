"""Text a client sends never holds the NUL character (U+0000).

No code, name, address or reason needs it, PostgreSQL can store it in neither text nor
JSON, and SQLite would keep it where PostgreSQL refuses it: an operation with a NUL in any
string literal or variable is refused before it runs, `BAD_USER_INPUT`, naming where.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import GraphQLError, Node, StringValueNode
from strawberry.extensions import SchemaExtension

NUL = "\x00"
MESSAGE = "text may not contain the NUL character (U+0000)"


def literal_with_nul(document: Any) -> StringValueNode | None:
    """The first string literal of the document that holds a NUL."""
    stack: list[Any] = list(getattr(document, "definitions", ()))
    while stack:
        node = stack.pop()
        if isinstance(node, StringValueNode) and NUL in node.value:
            return node
        for key in getattr(node, "keys", ()):
            value = getattr(node, key, None)
            for child in value if isinstance(value, tuple | list) else (value,):
                if isinstance(child, Node):
                    stack.append(child)
    return None


def variable_with_nul(variables: Mapping[str, Any] | None) -> str | None:
    """The name of the first variable holding a NUL anywhere in its value (keys included);
    walked without recursion, however deep the value is nested."""
    for name, value in (variables or {}).items():
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                if NUL in item:
                    return name
            elif isinstance(item, Mapping):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list | tuple):
                stack.extend(item)
    return None


def refusal(document: Any, variables: Mapping[str, Any] | None) -> GraphQLError | None:
    node = literal_with_nul(document)
    if node is not None:
        return GraphQLError(MESSAGE, nodes=[node], extensions={"code": "BAD_USER_INPUT"})
    name = variable_with_nul(variables)
    if name is not None:
        return GraphQLError(f"variable ${name}: {MESSAGE}",
                            extensions={"code": "BAD_USER_INPUT", "variable": name})
    return None


class NoNulInText(SchemaExtension):
    """Refuses as a validation error does, so subscriptions are refused too (they ignore a
    result set while executing). Listed after the query limits, which validate first."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and not context.pre_execution_errors:
            error = refusal(context.graphql_document, context.variables)
            if error is not None:
                context.pre_execution_errors = [error]
        yield
