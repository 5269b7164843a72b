"""Execute a subscription event once for every subscriber that asked the same thing.

Strawberry runs the whole GraphQL execution for each subscriber and each event: at
10,000 stock subscribers that is most of the cost of a stock change. A payload that
reads nothing of the viewer (no context, no loaders; StockUpdate is one) is marked
`SHARED_RESULT = True` and handed as the same object to all its subscribers; its
result is then computed once per (operation document, variables) and reused.
"""
from __future__ import annotations

import json
from typing import Any

from graphql.pyutils import is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

RESULTS_ATTRIBUTE = "_shared_results"


class SharedResultExecutor(StrawberryGraphQLCoreExecutionContext):
    def execute_operation(self, serially: bool | None = None) -> Any:
        payload = self.root_value
        if not getattr(payload, "SHARED_RESULT", False):
            return super().execute_operation(serially)
        results: dict[tuple[int, str], Any] = payload.__dict__.setdefault(RESULTS_ATTRIBUTE, {})
        key = (id(self.operation), _frozen(self.variable_values.coerced))
        if key not in results:
            result = super().execute_operation(serially)
            if is_awaitable(result):
                return result
            results[key] = result
        return results[key]


def _frozen(variables: dict[str, Any]) -> str:
    return json.dumps(variables, sort_keys=True, default=str)
