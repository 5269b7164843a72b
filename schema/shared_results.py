"""Execute a subscription event once for every subscriber that asked the same thing.

Strawberry runs the whole GraphQL execution for each subscriber and each event: at
10,000 stock subscribers that is most of the cost of a stock change. A payload that
reads nothing of the viewer (no context, no loaders; StockUpdate is one) is marked
`SHARED_RESULT = True` and handed as the same object to all its subscribers; its
result is then computed once per (operation document, variables used under the
root field) and reused: subscribers of different SKUs share it.
"""
from __future__ import annotations

import json
from typing import Any

from graphql import Node, OperationDefinitionNode, VariableNode
from graphql.pyutils import is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

RESULTS_ATTRIBUTE = "_shared_results"


class SharedResultExecutor(StrawberryGraphQLCoreExecutionContext):
    def execute_operation(self, serially: bool | None = None) -> Any:
        payload = self.root_value
        if not getattr(payload, "SHARED_RESULT", False):
            return super().execute_operation(serially)
        results: dict[tuple[int, str], Any] = payload.__dict__.setdefault(RESULTS_ATTRIBUTE, {})
        used = _variables_below_root(self.operation)
        key = (id(self.operation),
               _frozen({k: v for k, v in self.variable_values.coerced.items() if k in used}))
        if key not in results:
            result = super().execute_operation(serially)
            if is_awaitable(result):
                return result
            results[key] = result
        return results[key]


def _variables_below_root(operation: OperationDefinitionNode) -> set[str]:
    """Variables the event's answer can depend on: those used under the root field. The root
    field's own arguments (which channel, which SKUs) only chose the events a subscriber
    gets, so subscribers that differ only there share one answer."""
    used: set[str] = set()
    for selection in operation.selection_set.selections:
        for node in _walk(getattr(selection, "selection_set", None)):
            if isinstance(node, VariableNode):
                used.add(node.name.value)
    if any(getattr(s, "directives", None) for s in operation.selection_set.selections):
        used |= {v.variable.name.value for v in operation.variable_definitions or ()}
    return used


def _walk(node: Any) -> Any:
    if node is None:
        return
    yield node
    for key in getattr(node, "keys", ()):
        value = getattr(node, key, None)
        children = value if isinstance(value, tuple | list) else (value,)
        for child in children:
            if isinstance(child, Node):
                yield from _walk(child)


def _frozen(variables: dict[str, Any]) -> str:
    return json.dumps(variables, sort_keys=True, default=str)
