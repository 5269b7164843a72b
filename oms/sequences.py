"""Human-facing numbers (WEB-000042, RMA-000007) from named counters, gap-free per commit."""
from __future__ import annotations

from tortoise import connections

from oms.models import SequenceCounter
from oms.uow import UnitOfWork


async def next_value(uow: UnitOfWork, name: str) -> int:
    """Advance the counter `name` and return its new value (the row stays locked until commit).

    One round trip in the common case (UPDATE ... RETURNING); the counter row is
    created on first use.
    """
    value = await _bump(name)
    if value is None:
        await SequenceCounter.bulk_create([SequenceCounter(name=name, value=0)],
                                          ignore_conflicts=True)
        value = await _bump(name)
    return int(value or 0)


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
