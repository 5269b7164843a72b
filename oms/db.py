"""Database set-up: the Tortoise config, start/stop, and migrations (Tortoise's built-in ones)."""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise, connections
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.api import migrate as tortoise_migrate

from oms.config import Settings
from oms.models import MODEL_MODULES

APP = "oms"
T = TypeVar("T")
log = logging.getLogger(__name__)
UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
"A database away: connection exceptions (class 08), shut down, crashed, starting, full."


def _with_pool(url: str, settings: Settings, statement_timeout: bool = True) -> str:
    """Postgres URLs get a sane pool (Tortoise's default max is 5) and timeouts (asyncpg's
    connect timeout is 60 s, statements have none) unless the URL sets them."""
    if not settings.is_postgres:
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("minsize", str(settings.db_pool_min))
    query.setdefault("maxsize", str(settings.db_pool_max))
    query.setdefault("timeout", str(settings.db_connect_timeout_seconds))
    if statement_timeout:
        query.setdefault("command_timeout", str(settings.db_command_timeout_seconds))
    scheme = "postgres" if parts.scheme == "postgresql" else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def tortoise_config(settings: Settings, statement_timeout: bool = True) -> dict[str, Any]:
    """Tortoise's config for `settings`; migrations run without the statement timeout (an
    index built on a large table may rightly take minutes)."""
    return {
        "connections": {"default": _with_pool(settings.database_url, settings,
                                              statement_timeout)},
        "apps": {
            APP: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "oms.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def sqlite_file(settings: Settings) -> Path | None:
    """The SQLite file `settings` name, absolute (None for PostgreSQL or an in-memory one)."""
    if settings.is_postgres:
        return None
    name = settings.database_url.removeprefix("sqlite://").split("?", 1)[0]
    return None if name in ("", ":memory:") else Path(name).resolve()


def describe(settings: Settings) -> str:
    """Which database `settings` name, for a person: the SQLite file, or PostgreSQL's user,
    host, port and database (never the password)."""
    path = sqlite_file(settings)
    if path is not None or not settings.is_postgres:
        return f"SQLite {path or settings.database_url}"
    parts = urlsplit(settings.database_url)
    user = f"{parts.username}@" if parts.username else ""
    return f"PostgreSQL {user}{parts.hostname}:{parts.port or 5432}{parts.path}"


async def init_db(settings: Settings) -> None:
    # The global fallback lets request tasks see what the lifespan task initialised.
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(settings: Settings) -> None:
    """Apply every pending migration (what `oms migrate` runs)."""
    await tortoise_migrate(config=tortoise_config(settings, statement_timeout=False))


def pool_usage() -> tuple[int, int] | None:
    """(connections lent out, connections open) of this process's PostgreSQL pool, as asyncpg
    counts them; None on SQLite (one connection, no pool) or before the pool exists."""
    pool = getattr(connections.get("default"), "_pool", None)
    if pool is None or not hasattr(pool, "get_idle_size"):
        return None
    size = int(pool.get_size())
    return size - int(pool.get_idle_size()), size


async def ping() -> None:
    await connections.get("default").execute_query("SELECT 1")


def unreachable(exc: BaseException | None) -> bool:
    """Whether `exc`, or what caused it or was being handled when it came, says the database
    could not be reached or did not answer in time (refused, dropped, shut down, timed out):
    nothing the request did wrong, and worth trying again shortly."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError | DBConnectionError):  # OSError: TimeoutError, ConnectionError
            return True
        if str(getattr(exc, "sqlstate", "") or "").startswith(UNREACHABLE_SQLSTATES):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


async def patiently(read: Callable[[], Awaitable[T]], pause: float = 0.2,
                    longest_pause: float = 5.0) -> T:
    """`read()`, tried again (pauses doubling up to `longest_pause`) while the database is
    unreachable: for long-lived work, such as a subscription, that should wait out an
    outage and go on, not end. Any other error is raised at once."""
    while True:
        try:
            return await read()
        except Exception as exc:
            if not unreachable(exc):
                raise
            log.warning("database unavailable (%s: %s); trying again in %.1f s",
                        type(exc).__name__, exc, pause)
        await asyncio.sleep(pause)
        pause = min(longest_pause, pause * 2)


def __getattr__(name: str) -> Any:
    """`TORTOISE_ORM` for Tortoise's own CLI: `tortoise -c oms.db.TORTOISE_ORM makemigrations`."""
    if name == "TORTOISE_ORM":
        return tortoise_config(Settings.from_env())
    raise AttributeError(name)


def is_postgres(conn: Any) -> bool:
    """Whether `conn` (a Tortoise client) talks to PostgreSQL, for the few statements whose
    SQL differs by dialect (placeholders, arrays, GREATEST/MAX)."""
    return bool(conn.capabilities.dialect == "postgres")


def placeholders(conn: Any, count: int, start: int = 1) -> list[str]:
    """Parameter marks for `conn`: $1, $2, ... on PostgreSQL, ? on SQLite."""
    if is_postgres(conn):
        return [f"${i}" for i in range(start, start + count)]
    return ["?"] * count


def in_list(conn: Any, values: Sequence[Any], start: int) -> tuple[str, list[Any]]:
    """`= ANY($n)` with one array parameter on PostgreSQL (one prepared statement for any
    length), `IN (?, ...)` on SQLite: the match and its values."""
    if is_postgres(conn):
        return f"= ANY(${start})", [list(values)]
    return f"IN ({', '.join('?' * len(values))})", list(values)


def json_list(value: Any) -> frozenset[str]:
    """A JSON list column read with raw SQL (text on PostgreSQL's jsonb and on SQLite)."""
    return frozenset(json.loads(value) if isinstance(value, str | bytes) else value or ())


async def analyze(tables: list[str]) -> None:
    """Refresh the planner's statistics after a bulk load: a freshly loaded table without them
    had PostgreSQL scan all 800,000 positions (42 ms) where its index takes 1.9 ms."""
    conn = connections.get("default")
    if is_postgres(conn):
        for table in tables:
            await conn.execute_script(f'ANALYZE "{table}"')
