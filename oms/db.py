"""Database set-up: the Tortoise config, start/stop, and migrations (Tortoise's built-in ones)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate as tortoise_migrate

from oms.config import Settings
from oms.models import MODEL_MODULES

APP = "oms"


def _with_pool(url: str, settings: Settings) -> str:
    """Postgres URLs get a sane pool (Tortoise's default max is 5) unless the URL sets one."""
    if not settings.is_postgres:
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("minsize", str(settings.db_pool_min))
    query.setdefault("maxsize", str(settings.db_pool_max))
    scheme = "postgres" if parts.scheme == "postgresql" else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return {
        "connections": {"default": _with_pool(settings.database_url, settings)},
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
    await tortoise_migrate(config=tortoise_config(settings))


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
