"""The background job that samples, for the metrics, what no request sees: the outbox
backlog and this process's database pool."""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from oms import db, telemetry
from oms.events.relay import backlog

if TYPE_CHECKING:
    from oms.runtime import Runtime

log = logging.getLogger(__name__)
SAMPLE_SECONDS = 5.0


async def sample_forever(runtime: Runtime) -> None:
    """Sample every `SAMPLE_SECONDS` until cancelled (the database may be away for a while)."""
    while True:
        try:
            await sample_once()
        except Exception as exc:
            log.warning("metrics sample failed (%s)", exc)
        await asyncio.sleep(SAMPLE_SECONDS)


async def sample_once() -> None:
    pending, oldest_age = await backlog()
    telemetry.OUTBOX_PENDING.set(pending)
    telemetry.OUTBOX_LAG.set(oldest_age)
    pool = db.pool_usage()
    if pool is not None:
        in_use, size = pool
        telemetry.DB_POOL_IN_USE.set(in_use)
        telemetry.DB_POOL_OPEN.set(size)
