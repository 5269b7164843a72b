"""A corpus of malformed requests: each gets a 4xx, or a 200 whose every error is coded; never
a 5xx, never a hang, never a trace; and the server answers normally afterwards."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from tests.conftest import Api

NODE = "query($code: String!) { node(code: $code) { code } }"
SKUS = "query($skus: [String!]!) { availability(channel: \"web\", skus: $skus) { sku } }"
JSON = {"content-type": "application/json"}


def nested(depth: int, open_: str, close: str, leaf: str = "1") -> str:
    return open_ * depth + leaf + close * depth


def body(query: Any = NODE, **rest: Any) -> bytes:
    return json.dumps({"query": query, **rest}).encode()


CORPUS: dict[str, tuple[str, dict[str, str], bytes]] = {
    "invalid json": ("POST", JSON, b'{"query": '),
    "trailing garbage": ("POST", JSON, b'{"query": "{ channels { code } }"} xyz'),
    "empty body": ("POST", JSON, b""),
    "json number": ("POST", JSON, b"42"),
    "json string": ("POST", JSON, b'"{ channels { code } }"'),
    "json null": ("POST", JSON, b"null"),
    "json true": ("POST", JSON, b"true"),
    "json empty array": ("POST", JSON, b"[]"),
    "json batch": ("POST", JSON, b'[{"query": "{ channels { code } }"}]'),
    "text/plain": ("POST", {"content-type": "text/plain"}, b"{ channels { code } }"),
    "no content type": ("POST", {}, b'{"query": "{ channels { code } }"}'),
    "application/graphql": ("POST", {"content-type": "application/graphql"},
                            b"{ channels { code } }"),
    "form encoded": ("POST", {"content-type": "application/x-www-form-urlencoded"},
                     b"query=%7B+channels+%7B+code+%7D+%7D"),
    "multipart": ("POST", {"content-type": "multipart/form-data; boundary=X"},
                  b'--X\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
                  b'{"query": "{ channels { code } }"}\r\n--X--\r\n'),
    "multipart without boundary": ("POST", {"content-type": "multipart/form-data"}, b"--X--"),
    "missing query": ("POST", JSON, b'{"variables": {}}'),
    "empty object": ("POST", JSON, b"{}"),
    "query null": ("POST", JSON, body(None)),
    "query a number": ("POST", JSON, body(1)),
    "query a list": ("POST", JSON, body(["{ channels { code } }"])),
    "query an object": ("POST", JSON, body({"a": 1})),
    "query empty": ("POST", JSON, body("")),
    "variables a list": ("POST", JSON, body(variables=[1])),
    "variables a string": ("POST", JSON, body(variables='{"code": "MIL"}')),
    "variables a number": ("POST", JSON, body(variables=5)),
    "variable of a wrong type": ("POST", JSON, body(variables={"code": {"a": [1]}})),
    "operationName a number": ("POST", JSON, body(variables={"code": "MIL"}, operationName=5)),
    "operationName a list": ("POST", JSON, body(variables={"code": "MIL"}, operationName=[])),
    "operationName unknown": ("POST", JSON, body(variables={"code": "MIL"}, operationName="Nope")),
    "extensions a string": ("POST", JSON, body(variables={"code": "MIL"}, extensions="x")),
    "huge string variable": ("POST", JSON, body(variables={"code": "x" * 1_900_000})),
    "huge list variable": ("POST", JSON, body(SKUS, variables={"skus": ["A"] * 200_000})),
    "huge query string": ("POST", JSON, body("{ " + "channels { code } " * 50_000 + "}")),
    "null byte in query text": ("POST", JSON, body("{ channels\u0000 { code } }")),
    "null byte in a literal": ("POST", JSON, body('{ node(code: "M\\u0000IL") { code } }')),
    "null byte in a variable": ("POST", JSON, body(variables={"code": "M\u0000IL"})),
    "null byte in a list variable": ("POST", JSON, body(SKUS, variables={"skus": ["A", "\u0000"]})),
    "raw null byte in the body": ("POST", JSON, b'{"query": "{ channels { code } }"}\x00'),
    "lone surrogate": ("POST", JSON, b'{"query": "{ node(code: \\"\\ud800\\") { code } }"}'),
    "lone surrogate in a variable": ("POST", JSON, b'{"query": "' + NODE.encode()
                                     + b'", "variables": {"code": "\\udfff"}}'),
    "invalid utf-8": ("POST", JSON, b'{"query": "{ node(code: \\"\xff\xfe\\") { code } }"}'),
    "invalid utf-8 in text/plain": ("POST", {"content-type": "text/plain; charset=utf-8"},
                                    b"\xff\xfe{ channels { code } }"),
    "deeply nested list variable": ("POST", JSON, b'{"query": "' + SKUS.replace('"', '\\"').encode()
                                    + b'", "variables": {"skus": '
                                    + nested(10_000, "[", "]", '"A"').encode() + b"}}"),
    "deeply nested object variable": ("POST", JSON, b'{"query": "' + NODE.encode()
                                      + b'", "variables": {"code": '
                                      + nested(10_000, '{"a":', "}").encode() + b"}}"),
    "nested list variable below the parser's limit": (
        "POST", JSON, b'{"query": "' + SKUS.replace('"', '\\"').encode() + b'", "variables": {"skus": '
        + nested(900, "[", "]", '"A"').encode() + b"}}"),
    "unused deeply nested variable": ("POST", JSON, b'{"query": "{ channels { code } }", '
                                      b'"variables": {"x": ' + nested(900, "[", "]").encode() + b"}}"),
    "deeply nested query": ("POST", JSON, body("{" * 5_000 + "}" * 5_000)),
    "deeply nested literal": ("POST", JSON, body("{ node(code: " + nested(5_000, "[", "]", '"A"')
                                                 + ") { code } }")),
    "unicode escapes in keys": ("POST", JSON, b'{"\\u0071uery": "{ channels { code } }"}'),
    "duplicate keys": ("POST", JSON, b'{"query": 1, "query": "{ channels { code } }"}'),
    "GET with a mutation": ("GET", {}, b"mutation { revokeApiToken(id: \"x\") { userErrors { code } } }"),
    "GET without a query": ("GET", {}, b""),
    "GET with bad variables": ("GET", {}, b"{ channels { code } }"),
}
GET_PARAMS = {"GET with bad variables": {"variables": "{not json"}}


async def send(api: Api, name: str, token: str) -> httpx.Response:
    method, headers, payload = CORPUS[name]
    headers = {"accept": "application/json", **headers, "Authorization": f"Bearer {token}"}
    if method == "GET":
        params = {"query": payload.decode(), **GET_PARAMS.get(name, {})} if payload else {}
        request = api.client.get("/graphql", params=params, headers=headers)
    else:
        request = api.client.post("/graphql", content=payload, headers=headers)
    return await asyncio.wait_for(request, timeout=20)


@pytest.mark.parametrize("name", list(CORPUS))
async def test_a_malformed_request_is_refused_cleanly(api: Api, admin_token: str, name: str) -> None:
    response = await send(api, name, admin_token)
    text = response.text
    assert response.status_code < 500, text[:2000]
    assert "Traceback" not in text and ".py" not in text, text[:2000]
    if response.status_code == 200:
        errors = response.json().get("errors") or []
        assert all((e.get("extensions") or {}).get("code") for e in errors), text[:2000]
        assert not any(e["extensions"]["code"] == "INTERNAL_SERVER_ERROR" for e in errors), text[:2000]
    assert (await api("{ channels { code } }")) == {"channels": []}
