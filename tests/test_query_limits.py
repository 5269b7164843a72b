"""Depth, alias and cost bombs are refused before execution, with the figures; normal
operations pass and report their cost."""
from __future__ import annotations

import logging
from typing import Any

import orjson
from graphql import get_introspection_query

from schema.limits import too_complex
from tests.helpers import channel, node, stock


def codes(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["extensions"]["code"], e["extensions"].get("limit")) for e in body["errors"]]


async def test_a_deep_query_is_refused_before_it_runs(api: Any) -> None:
    deep = "{ nodes { " + "backlog " + "} }"
    nested = "query { orders { edges { node { " + "fulfillments { order { " * 8 + "id" \
        + " } }" * 8 + " } } } }"
    body = await api.raw(nested)
    assert codes(body) == [("QUERY_TOO_COMPLEX", "depth")]
    assert body["errors"][0]["extensions"]["measured"] > body["errors"][0]["extensions"]["allowed"]
    assert body["data"] is None
    assert not (await api.raw(deep)).get("errors")


async def test_aliases_beyond_the_limit_are_refused(api: Any) -> None:
    many = "{ " + " ".join(f"a{i}: channels {{ code }}" for i in range(31)) + " }"
    assert codes(await api.raw(many)) == [("QUERY_TOO_COMPLEX", "aliases")]
    mutations = "mutation { " + " ".join(
        f'm{i}: upsertChannel(input: {{code: "c{i}", name: "c", type: WEB, currency: "EUR"}}) '
        "{ channel { code } }" for i in range(40)) + " }"
    assert codes(await api.raw(mutations)) == [("QUERY_TOO_COMPLEX", "aliases")]
    assert (await api("{ channels { code } }"))["channels"] == [], "none was created"


async def test_the_cost_counts_list_sizes_from_arguments_and_variables(api: Any) -> None:
    await node(api, "W1")
    await channel(api, "web")
    await stock(api, ("A", "W1", 3))
    query = ("query($first: Int) { orders(first: $first) { edges { node { lines { sku } "
             "fulfillments { lines { sku } } } } } }")
    small = await api.raw(query, {"first": 5})
    assert not small.get("errors") and small["extensions"]["cost"] > 5
    big = await api.raw(query, {"first": 100_000})
    assert codes(big) == [("QUERY_TOO_COMPLEX", "cost")]
    skus = [f"S{i}" for i in range(50)]
    asked = await api.raw("query($s: [String!]!) { availability(channel: \"web\", skus: $s) "
                          "{ sku available } }", {"s": skus})
    assert asked["extensions"]["cost"] == 1 + 50 * 2


async def test_graphiql_introspection_always_passes(api: Any) -> None:
    body = await api.raw(get_introspection_query(descriptions=True))
    assert not body.get("errors") and body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_every_error_is_coded_and_faults_are_masked(api: Any, caplog: Any) -> None:
    invalid = await api.raw("{ channels { nope } }")
    assert [e["extensions"]["code"] for e in invalid["errors"]] == ["BAD_USER_INPUT"]
    syntax = await api.raw("{ channels { ")
    assert [e["extensions"]["code"] for e in syntax["errors"]] == ["BAD_USER_INPUT"]
    wrong_variable = await api.raw("query($n: Int!) { orders(first: $n) { totalCount } }",
                                   {"n": "x"})
    assert [e["extensions"]["code"] for e in wrong_variable["errors"]] == ["BAD_USER_INPUT"]


async def test_a_fault_is_masked_with_an_id_the_log_keeps(api: Any, monkeypatch: Any,
                                                          caplog: Any) -> None:
    async def broken() -> list[Any]:
        raise RuntimeError('SELECT secret FROM "api_token" at /srv/oms/catalog.py')

    monkeypatch.setattr("oms.catalog.list_channels", broken)
    with caplog.at_level(logging.INFO, logger="oms.api"):
        body = await api.raw("{ channels { code } }")
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in str(body) and "/srv" not in str(body)
    logged = [r for r in caplog.records if error["extensions"]["errorId"] in r.getMessage()]
    assert logged and logged[0].exc_info is not None


async def test_a_batched_body_is_refused(api: Any) -> None:
    response = await api.client.post(
        "/graphql", json=[{"query": "{ channels { code } }"}] * 50,
        headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 400
    assert "channels" not in response.text



def test_a_cost_past_64_bits_is_reported_as_a_number_json_keeps() -> None:
    """Nested page sizes multiply: a figure past 2**64 is more than any JSON encoder takes
    (the fuzzer met one, and the refusal became a 500)."""
    error = too_complex("cost", 59951918185868951625, 50000)
    assert error.extensions == {"code": "QUERY_TOO_COMPLEX", "limit": "cost",
                                "measured": 2**53 - 1, "allowed": 50000}
    assert orjson.loads(orjson.dumps(error.formatted))["message"] == (
        f"query cost over {2**53 - 1} is over the limit of 50000")
