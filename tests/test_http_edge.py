"""The HTTP edge: oversized bodies refused with 413 before anything reads them, a request id
echoed and logged, one JSON log line per request naming the operation and the token."""
from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from oms.app import create_app
from oms.config import Settings


@pytest.fixture
async def small_app(database: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(replace(database, max_body_bytes=1000), manage_db=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as client:
            yield client


async def test_a_body_over_the_cap_is_refused_with_413(small_app: httpx.AsyncClient,
                                                      admin_token: str) -> None:
    big = {"query": "{ channels { code } }", "variables": {"pad": "x" * 2000}}
    response = await small_app.post("/graphql", json=big,
                                    headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b" " * 200

    streamed = await small_app.post("/graphql", content=chunks(),
                                    headers={"content-type": "application/json"})
    assert streamed.status_code == 413


async def test_each_request_has_an_id_and_one_log_line(api: Any, admin_token: str,
                                                       caplog: Any) -> None:
    with caplog.at_level(logging.INFO, logger="oms.requests"):
        response = await api.client.post(
            "/graphql", json={"query": "query Shops { channels { code } }"},
            headers={"Authorization": f"Bearer {admin_token}", "X-Request-Id": "abc-123"})
        anonymous = await api.client.post("/graphql", json={"query": "{ channels { code } }"})
    assert response.headers["x-request-id"] == "abc-123"
    assert len(anonymous.headers["x-request-id"]) == 32
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "oms.requests"]
    first, second = lines[-2], lines[-1]
    assert first["requestId"] == "abc-123" and first["operation"] == "Shops"
    assert first["outcome"] == "ok" and first["status"] == 200 and first["token"]
    assert admin_token not in json.dumps(lines)
    assert second["outcome"] == "refused" and second["token"] is None


@pytest.mark.parametrize("payload", [b"42", b'"{ channels { code } }"', b"null", b"true"])
async def test_a_json_body_that_is_no_object_is_refused_with_400(api: Any, payload: bytes) -> None:
    response = await api.client.post("/graphql", content=payload,
                                     headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert (await api("{ channels { code } }")) == {"channels": []}
