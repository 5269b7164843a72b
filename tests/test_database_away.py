"""A database that is away, as a client sees it (in-process, on either backend): requests
answer SERVICE_UNAVAILABLE with 503 and Retry-After and no trace, /healthz names what is
down without waiting on it, and subscriptions wait an outage out. The same under load on
a real PostgreSQL, cut and stalled through a proxy: tests/test_crash_safety.py."""
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
from oms.events import order_watch
from tests.order_helpers import network, place, stock
from tests.servers import live_server, ws_session

ORDER_EVENTS_AFTER = ("subscription($after: String) { orderEvents(after: $after) "
                      "{ event { id type } order { id } } }")


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


@pytest.mark.no_database
async def test_patiently_waits_out_an_outage_and_raises_anything_else() -> None:
    attempts: list[int] = []

    async def read() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionRefusedError(111, "Connection refused")
        return "row"

    assert await db.patiently(read, pause=0.01) == "row" and len(attempts) == 3

    async def broken() -> str:
        raise ValueError("a fault of ours")

    with pytest.raises(ValueError):
        await db.patiently(broken, pause=0.01)


async def test_a_subscription_carries_on_through_a_database_blip(database: Any, admin_token: str,
                                                                 monkeypatch: Any) -> None:
    async with live_server(database, admin_token) as server:
        await network(server.api, ("MIL",))
        await stock(server.api, ("A", "MIL", 10))
        order = await place(server.api, ("A", 1))
        await server.settle()
        async with ws_session(server.ws_url, admin_token) as ws:
            failures = _fail_replay_reads(monkeypatch, times=2)
            sub = ws.subscribe(ORDER_EVENTS_AFTER, {"after": "0"})  # replays from the outbox
            first = (await sub.next(10))["orderEvents"]
    assert failures == [] and first["order"]["id"] == order["id"]
    assert first["event"]["type"] == "ORDER_CREATED"


def _fail_replay_reads(monkeypatch: Any, times: int) -> list[int]:
    """The next `times` reads of the outbox by a replaying feed fail as a refused connection would."""
    left = list(range(times))
    original = order_watch._page

    async def flaky(*args: Any) -> Any:
        if left:
            left.pop()
            raise ConnectionRefusedError(111, "Connection refused")
        return await original(*args)

    monkeypatch.setattr(order_watch, "_page", flaky)
    return left
