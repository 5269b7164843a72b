"""Fuzzing through the served schema: queries and mutations generated from the live SDL
(hypothesis-graphql) with random arguments, sent over HTTP with an admin token and with weak
ones (availability:read, a customer's orders:read:own, none). Whatever is asked, the server
refuses or answers: never a 5xx, every error coded and none INTERNAL_SERVER_ERROR (a fault
of ours, masked), never a trace, SQL or path in the answer; and the stock ledger adds up
after every example.

Arguments mix values the seeded world knows (codes, SKUs, the ids of its orders, lines,
fulfillments, returns, holds, rules and tokens), so operations reach the domain, with
hostile ones (text one past each column's length and far beyond, NUL, injection, 32-bit
extremes, times at the calendar's ends, NaN amounts). Examples are derandomized: a run is
reproducible up to the ids the world gets. `OMS_FUZZ_EXAMPLES=N` runs N per test.

Subscriptions are not generated (hypothesis-graphql makes queries and mutations only):
tests/test_subscription_inputs.py sends each hostile arguments over a real websocket.
"""
from __future__ import annotations

import os
import re
from typing import Any

import graphql
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from resolvers.api import build_schema
from tests.conftest import Api, make_token
from tests.helpers import ledger_mismatches, stock
from tests.journeys import line_id, ok, place_paid, request_return
from tests.order_helpers import rule
from tests.test_reservations import reserve
from tests.test_returns import delivered_order

SDL = build_schema().as_str()
EXAMPLES = int(os.environ.get("OMS_FUZZ_EXAMPLES", "0"))
INT32 = (-(2**31), 2**31 - 1)
LEAKS = re.compile(r"Traceback|File \"|\.py\b|/work/|site-packages|SELECT |INSERT |UPDATE .* SET|"
                   r"asyncpg|sqlite|tortoise|psycopg", re.IGNORECASE)
KNOWN_IDS: list[str] = []
"Ids of the seeded world's rows, filled by `world` (the strategies read it when they draw)."
KNOWN_TEXT = ["A", "B", "MIL", "TOR", "web", "EUR", "BGS", "ROM", "NAP", "shop", "USD", "IT",
              "admin", "orders:read:own", "availability:read", "ann@example.com", "cust-1",
              "RMA-000001", "1", "0", ""]
HOSTILE_TEXT = ["x" * 65, "x" * 201, "x" * 321, "x" * 401, "x" * 501, "x" * 20_000, "\x00",
                "a\x00b", "'; DROP TABLE node; --", "%", "_", "\\", "9" * 40, "NaN", "1e400",
                "\u202e", "😀" * 70, " ", "\n"]


def examples(default: int) -> Any:
    return settings(max_examples=EXAMPLES or default)


def known(values: list[str]) -> st.SearchStrategy[str]:
    """One of `values`, read when drawn (so a list filled at run time works)."""
    return st.integers(0, 10_000).map(lambda i: values[i % len(values)] if values else "0")


def texts() -> st.SearchStrategy[str]:
    """Mostly values the world knows (an argument is one of a few known ones far more often
    than chance would make it), then hostile and arbitrary text."""
    return st.one_of(st.sampled_from(KNOWN_TEXT), st.sampled_from(KNOWN_TEXT[:7]),
                     st.sampled_from(KNOWN_TEXT), known(KNOWN_IDS),
                     st.sampled_from(HOSTILE_TEXT), st.text(max_size=30))


def ids() -> st.SearchStrategy[str]:
    return st.one_of(known(KNOWN_IDS), known(KNOWN_IDS), st.sampled_from(
        ["0", "-1", "9" * 30, "1.5", "abc", "", "00000000-0000-0000-0000-000000000000",
         "\x00", "x" * 20_000]), st.text(max_size=8))


def ints() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(-3, 12), st.integers(-3, 12),
                     st.sampled_from([*INT32, INT32[1] - 1, 25_000_000, 100, 500, 501]),
                     st.integers(*INT32))


def floats() -> st.SearchStrategy[float]:
    return st.one_of(st.floats(-200, 200), st.floats(allow_nan=False, allow_infinity=False),
                     st.sampled_from([0.0, -0.0, 90.0, -180.0, 1e308, -1e308, 5e-324]))


def decimals() -> st.SearchStrategy[graphql.ValueNode]:
    as_text = st.one_of(st.decimals(places=2, min_value=-10**6, max_value=10**6).map(str),
                        st.decimals().map(str),
                        st.sampled_from(["10.00", "NaN", "sNaN", "Infinity", "-Infinity",
                                         "1e999999", "0.0000000001", "1" * 60, "abc", ""]))
    return st.one_of(as_text.map(nodes.String), ints().map(nodes.Int))


def datetimes() -> st.SearchStrategy[graphql.ValueNode]:
    iso = st.one_of(st.datetimes().map(lambda d: d.isoformat()),
                    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
                    st.sampled_from(["0001-01-01T00:00:00", "9999-12-31T23:59:59+00:00",
                                     "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                                     "not a date", "", "2024-02-30T00:00:00"]))
    return iso.map(nodes.String)


SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "String": texts().map(nodes.String),
    "ID": ids().map(nodes.String),
    "Int": ints().map(nodes.Int),
    "Float": floats().map(nodes.Float),
    "Decimal": decimals(),
    "DateTime": datetimes(),
}
QUERIES = queries(SDL, custom_scalars=SCALARS)
MUTATIONS = mutations(SDL, custom_scalars=SCALARS)


async def seed(api: Api) -> list[str]:
    """Nodes, channels, stock, a delivered order with a return, an open order, a cart hold,
    a routing rule and tokens: the ids of all of them."""
    delivered = await delivered_order(api)
    returned = (await ok(await request_return(api, delivered["id"], (line_id(delivered, "A"), 1))))
    await stock(api, ("A", "TOR", 20), ("B", "ROM", 5))
    placed = await place_paid(api, ("A", 2), ("B", 1), customerRef="cust-1")
    hold = await reserve(api, ("A", 1))
    routing = await rule(api, name="fuzz")
    tokens = (await api("{ apiTokens { id } }"))["apiTokens"]
    return [o["id"] for o in (delivered, placed)] \
        + [x["id"] for o in (delivered, placed) for x in o["lines"] + o["fulfillments"]] \
        + [returned["return"]["id"], hold["id"], routing["id"]] + [t["id"] for t in tokens]


@pytest.fixture
async def world(api: Api) -> Api:
    KNOWN_IDS[:] = await seed(api)
    return api


@pytest.fixture
async def weak_tokens(world: Api) -> list[str | None]:
    return [await make_token(["availability:read"], name="reader"),
            await make_token(["orders:read:own"], customer_ref="cust-1", name="customer"),
            None]


def shown(*parts: object) -> str:
    """A failure message a person can read: long runs of one character collapsed."""
    text = "\n".join(str(p) for p in parts)
    return re.sub(r"(.)\1{40,}", lambda m: f"{m[1]}<x{len(m[0])}>", text)[:4000]


async def send(api: Api, document: str, token: str | None) -> None:
    """Send `document` as `token`; assert the answer is a clean refusal or an answer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await api.client.post("/graphql", json={"query": document}, headers=headers)
    assert response.status_code < 500, shown(document, response.text)
    assert not LEAKS.search(response.text), shown(document, response.text)
    for error in response.json().get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code, shown(document, error)
        assert code != "INTERNAL_SERVER_ERROR", shown(document, error)
    assert await ledger_mismatches() == [], shown(document)


@examples(150)
@given(document=QUERIES)
async def test_generated_queries_as_admin(world: Api, admin_token: str, document: str) -> None:
    await send(world, document, admin_token)


@examples(200)
@given(document=MUTATIONS)
async def test_generated_mutations_as_admin(world: Api, admin_token: str, document: str) -> None:
    await send(world, document, admin_token)


@examples(150)
@given(document=st.one_of(QUERIES, MUTATIONS), which=st.integers(0, 2))
async def test_generated_operations_with_weak_tokens(world: Api, weak_tokens: list[str | None],
                                                     document: str, which: int) -> None:
    await send(world, document, weak_tokens[which])
