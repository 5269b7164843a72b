"""A small GraphQL-over-HTTP client for setting up and driving the server (not for load)."""
from __future__ import annotations

from typing import Any

import httpx


class GraphQLFailed(RuntimeError):
    pass


class Api:
    def __init__(self, base_url: str, token: str, timeout: float = 120) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=timeout,
                                 headers={"Authorization": f"Bearer {token}"})

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of the answer; GraphQL errors and any payload's userErrors raise."""
        response = self.http.post("/graphql", json={"query": query, "variables": variables or {}})
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise GraphQLFailed(f"HTTP {response.status_code}: {str(body)[:500]}")
        for payload in (body.get("data") or {}).values():
            if isinstance(payload, dict) and payload.get("userErrors"):
                raise GraphQLFailed(str(payload["userErrors"])[:500])
        return body["data"]

    def close(self) -> None:
        self.http.close()


UPSERT_NODE = "mutation($i: NodeInput!) { upsertNode(input: $i) { userErrors { code message } } }"
UPSERT_CHANNEL = ("mutation($i: ChannelInput!) "
                  "{ upsertChannel(input: $i) { userErrors { code message } } }")
UPSERT_RULE = ("mutation($i: RoutingRuleInput!) "
               "{ upsertRoutingRule(input: $i) { userErrors { code message } } }")
SYNC = ("mutation($r: [InventoryRecordInput!]!) "
        "{ syncInventory(records: $r) { updated userErrors { code message } } }")
ADJUST = ("mutation($a: [InventoryAdjustmentInput!]!) "
          "{ adjustInventory(adjustments: $a) { updated userErrors { code message } } }")
