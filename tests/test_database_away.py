"""A database that is away, as a client sees it (in-process, on either backend): requests
answer SERVICE_UNAVAILABLE with 503 and Retry-After and no trace, and /healthz names what
is down without waiting on it."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from asyncpg.exceptions import (
    AdminShutdownError,
    CannotConnectNowError,
    ConnectionDoesNotExistError,
    InterfaceError,
    UniqueViolationError,
)
from tortoise.exceptions import DBConnectionError, IntegrityError

from oms import db


def _raised_while_handling(cause: BaseException, raised: BaseException) -> BaseException:
    """`raised` as it is when raised inside an `except` of `cause` (a failed rollback)."""
    try:
        try:
            raise cause
        except BaseException:
            raise raised  # noqa: B904 (its __context__ is the point)
    except BaseException as exc:
        return exc


@pytest.mark.no_database
@pytest.mark.parametrize(("exc", "away"), [
    (ConnectionRefusedError(111, "Connection refused"), True),
    (TimeoutError(), True),
    (DBConnectionError("cannot connect"), True),
    (AdminShutdownError("terminating connection due to administrator command"), True),
    (CannotConnectNowError("the database system is starting up"), True),
    (ConnectionDoesNotExistError("connection was closed in the middle of operation"), True),
    (_raised_while_handling(ConnectionDoesNotExistError("closed"),
                            InterfaceError("the underlying connection is closed")), True),
    (IntegrityError("duplicate key"), False),
    (UniqueViolationError("duplicate key"), False),
    (InterfaceError("another operation is in progress"), False),
    (ValueError("bad"), False),
], ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else str(v))
async def test_what_counts_as_the_database_away(exc: BaseException, away: bool) -> None:
    assert db.unreachable(exc) is away


async def test_an_unreachable_database_answers_503_with_retry_after_and_no_trace(
        api: Any, monkeypatch: Any, caplog: Any) -> None:
    async def away() -> list[Any]:
        raise AdminShutdownError("terminating connection due to administrator command")

    monkeypatch.setattr("oms.catalog.list_channels", away)
    with caplog.at_level(logging.INFO, logger="oms.api"):
        response = await api.client.post("/graphql", json={"query": "{ channels { code } }"},
                                          headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "administrator" not in response.text
    logged = [r for r in caplog.records if error["extensions"]["errorId"] in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelno == logging.WARNING
    assert logged[0].exc_info is None  # an outage is one line, not a traceback per request


async def test_healthz_names_what_is_down_without_waiting_on_it(api: Any,
                                                                monkeypatch: Any) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok", "database": "ok",
                                                         "broker": "ok"}

    async def refused() -> None:
        raise ConnectionRefusedError(111, "Connect call failed ('10.0.0.7', 5432)")

    monkeypatch.setattr("oms.db.ping", refused)
    response = await api.client.get("/healthz")
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.json() == {"status": "unavailable", "database": "unavailable", "broker": "ok"}
    assert "10.0.0.7" not in response.text

    async def stalled() -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr("oms.db.ping", stalled)
    monkeypatch.setattr("oms.app.HEALTH_PROBE_SECONDS", 0.2)
    started = time.monotonic()
    response = await api.client.get("/healthz")
    assert response.status_code == 503 and time.monotonic() - started < 1.0
