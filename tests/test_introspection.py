"""Introspection and GraphiQL: on in development; in production off unless enabled, and then
for authenticated tokens only."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from oms.config import Settings
from tests.helpers import app_client

SCHEMA = "{ __schema { queryType { name } } }"


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


async def ask(http: httpx.AsyncClient, token: str | None, query: str = SCHEMA) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await http.post("/graphql", json={"query": query}, headers=headers)


async def test_production_refuses_introspection_and_serves_no_graphiql(
        database: Settings, admin_token: str) -> None:
    production = replace(database, env="production", introspection=False, graphiql=False)
    async with app_client(production) as http:
        assert codes(await ask(http, admin_token)) == ["INTROSPECTION_DISABLED"]
        typename = await ask(http, admin_token, "{ __typename }")
        assert typename.json()["data"] == {"__typename": "Query"}
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()


async def test_enabled_in_production_it_is_for_authenticated_tokens(
        database: Settings, admin_token: str) -> None:
    production = replace(database, env="production", introspection=True, graphiql=False)
    async with app_client(production) as http:
        assert codes(await ask(http, None)) == ["UNAUTHENTICATED"]
        allowed = await ask(http, admin_token)
        assert allowed.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_development_serves_both(database: Settings, api: Any) -> None:
    body = await api.raw(SCHEMA, token="")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    page = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" in page.text.lower()

