"""Fixtures: a migrated database (SQLite, or PostgreSQL + Redis when OMS_TEST_* are set),
emptied before each test, an app served in-process, and a GraphQL client helper."""
from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from tortoise import connections

from oms import db
from oms.auth import NewToken, create_token
from oms.config import Settings
from oms.uow import unit_of_work

ROOT = Path(__file__).resolve().parent.parent

# Property tests (tests/test_fuzz.py) are reproducible in CI: derandomized, no example
# database; examples share one seeded world per test function (the per-test fixtures).
settings.register_profile("oms", derandomize=True, database=None, deadline=None, print_blob=False,
                          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                 HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("OMS_HYPOTHESIS_PROFILE", "oms"))


def test_settings() -> Settings:
    url = os.environ.get("OMS_TEST_DATABASE_URL") or f"sqlite://{ROOT}/.test-{os.getpid()}.sqlite3"
    # Calls without a token come from one address here, many tests over: not limited (the
    # rate-limit tests set their own limits).
    return Settings(database_url=url, redis_url=os.environ.get("OMS_TEST_REDIS_URL") or None,
                    relay_poll_seconds=1, events_channel=f"oms:test:{os.getpid()}:events",
                    anonymous_rate_limit_per_minute=0,
                    # The tests' webhook receivers listen on 127.0.0.1.
                    webhook_allow_private=True)


async def _reset_schema(settings: Settings) -> None:
    if not settings.is_postgres:
        path = settings.database_url.removeprefix("sqlite://")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(path + suffix).unlink(missing_ok=True)
        return
    await db.init_db(settings)
    conn = connections.get("default")
    await conn.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    await db.close_db()


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[Settings]:
    settings = test_settings()
    await _reset_schema(settings)
    await db.migrate(settings)
    await db.close_db()
    await db.init_db(settings)
    yield settings
    await db.close_db()
    if not settings.is_postgres:
        await _reset_schema(settings)


async def _tables() -> list[str]:
    from tortoise import Tortoise

    return [m._meta.db_table for m in Tortoise.apps["oms"].values()]


async def empty_tables(database: Settings) -> None:
    """Delete every row of every table."""
    conn = connections.get("default")
    tables = await _tables()
    if database.is_postgres:
        quoted = ", ".join(f'"{t}"' for t in tables)
        await conn.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    else:
        deletes = "".join(f'DELETE FROM "{t}";' for t in tables)
        await conn.execute_script(f"PRAGMA foreign_keys=OFF;{deletes}PRAGMA foreign_keys=ON;")


@pytest.fixture(autouse=True)
async def clean(request: pytest.FixtureRequest, database: Settings) -> None:
    """Empty every table before each test, except in modules marked `no_database` (or
    modules that override this fixture to share one dataset, emptied once). The database is
    set up for every module (once a session): pytest-asyncio 1.5 cannot set up an async
    fixture from inside another (`getfixturevalue` there raises)."""
    if request.node.get_closest_marker("no_database"):
        return
    await empty_tables(database)


@pytest.fixture
async def sink() -> AsyncIterator[Any]:
    """A local SMTP server (aiosmtpd) receiving the mail a test makes the OMS send."""
    from tests.smtp_sink import SmtpSink

    server = SmtpSink()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def app(database: Settings) -> AsyncIterator[Any]:
    from oms.app import create_app

    application = create_app(database, manage_db=False)
    async with application.router.lifespan_context(application):
        yield application


async def make_token(scopes: list[str], channels: list[str] | None = None,
                     customer_ref: str | None = None, nodes: list[str] | None = None,
                     name: str = "test", company_code: str | None = None) -> str:
    async with unit_of_work(actor="tests") as uow:
        _, secret = await create_token(uow, None, NewToken(
            name=name, scopes=scopes, channels=channels or [], nodes=nodes or [],
            customer_ref=customer_ref, company_code=company_code))
    return secret


class Api:
    """A GraphQL client over real HTTP semantics (httpx against the ASGI app)."""

    def __init__(self, client: httpx.AsyncClient, token: str | None) -> None:
        self.client = client
        self.token = token

    async def raw(self, query: str, variables: dict[str, Any] | None = None,
                  token: str | None = None) -> dict[str, Any]:
        secret = token if token is not None else self.token
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        response = await self.client.post("/graphql", json={"query": query, "variables": variables},
                                          headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def __call__(self, query: str, variables: dict[str, Any] | None = None,
                       token: str | None = None) -> dict[str, Any]:
        """Run an operation that must succeed; returns its data."""
        body = await self.raw(query, variables, token)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def as_(self, token: str) -> Api:
        return Api(self.client, token)


@pytest.fixture
async def admin_token(database: Settings) -> str:
    return await make_token(["admin"], name="admin")


@pytest.fixture
async def api(app: Any, admin_token: str) -> AsyncIterator[Api]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as client:
        yield Api(client, admin_token)
