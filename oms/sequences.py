"""Human-facing numbers (WEB-000042, RMA-000007) from named counters, gap-free per commit."""
from __future__ import annotations

from typing import Any

from tortoise import connections

from oms.db import is_postgres
from oms.models import SequenceCounter
from oms.uow import UnitOfWork

NUMBERED = frozenset({"order"})
"Tables `number_row` may number (the table name is part of its SQL)."


async def next_value(uow: UnitOfWork, name: str) -> int:
    """Advance the counter `name` and return its new value (the row stays locked until commit).

    One round trip in the common case (UPDATE ... RETURNING); the counter row is
    created on first use.
    """
    value = await _bump(name)
    if value is None:
        await _create(name)
        value = await _bump(name)
    return int(value or 0)


async def _create(name: str) -> None:
    await SequenceCounter.bulk_create([SequenceCounter(name=name, value=0)],
                                      ignore_conflicts=True)


async def _bump(name: str) -> int | None:
    conn = connections.get("default")
    mark = "$1" if conn.capabilities.dialect == "postgres" else "?"
    rows = await conn.execute_query_dict(
        f'UPDATE "sequence_counter" SET "value" = "value" + 1 WHERE "name" = {mark} '
        'RETURNING "value"', [name])
    return rows[0]["value"] if rows else None


async def next_number(uow: UnitOfWork, prefix: str, width: int = 6) -> str:
    """The next number for `prefix`, e.g. RMA-000001."""
    return f"{prefix}-{await next_value(uow, prefix):0{width}d}"


async def number_row(uow: UnitOfWork, table: str, row_id: Any, prefix: str,
                     width: int = 6) -> str:
    """Give the row `row_id` of `table` the next number for `prefix` and return it.

    On PostgreSQL the counter and the row move in one statement, so when this runs last
    (`UnitOfWork.last`) the counter row is locked for the commit and nothing else.
    """
    if table not in NUMBERED:
        raise ValueError(f"{table} is not numbered")
    conn = connections.get("default")
    if not is_postgres(conn):
        number = await next_number(uow, prefix, width)
        await conn.execute_query(f'UPDATE "{table}" SET "number" = ? WHERE "id" = ?',
                                 [number, str(row_id)])
        return number
    rows = await _number_row(conn, table, row_id, prefix, width)
    if not rows:
        await _create(prefix)
        rows = await _number_row(conn, table, row_id, prefix, width)
    return str(rows[0]["number"])


async def _number_row(conn: Any, table: str, row_id: Any, prefix: str,
                      width: int) -> list[dict[str, Any]]:
    digits = 'n."value"::text'
    return await conn.execute_query_dict(  # type: ignore[no-any-return]
        'WITH n AS (UPDATE "sequence_counter" SET "value" = "value" + 1 WHERE "name" = $1 '
        f'RETURNING "value") UPDATE "{table}" SET "number" = $1 || \'-\' || '
        f'lpad({digits}, greatest($3, length({digits})), \'0\') FROM n WHERE "{table}"."id" = $2 '
        f'RETURNING "{table}"."number"', [prefix, row_id, width])
