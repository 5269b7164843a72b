"""Human-facing numbers (WEB-000042, RMA-000007) from named counters, gap-free per commit."""
from __future__ import annotations

from tortoise.expressions import F

from oms.models import SequenceCounter
from oms.uow import UnitOfWork


async def next_value(uow: UnitOfWork, name: str) -> int:
    """Advance the counter `name` and return its new value (the row stays locked until commit)."""
    await SequenceCounter.bulk_create([SequenceCounter(name=name, value=0)], ignore_conflicts=True)
    await SequenceCounter.filter(name=name).update(value=F("value") + 1)
    value = await SequenceCounter.filter(name=name).first().values_list("value", flat=True)
    return int(value or 0)


async def next_number(uow: UnitOfWork, prefix: str, width: int = 6) -> str:
    """The next number for `prefix`, e.g. RMA-000001."""
    return f"{prefix}-{await next_value(uow, prefix):0{width}d}"
