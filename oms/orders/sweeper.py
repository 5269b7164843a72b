"""The background job that gives back expired cart holds, every few seconds in every process."""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from oms import metrics
from oms.orders.reservations import sweep_expired
from oms.uow import unit_of_work

if TYPE_CHECKING:
    from oms.runtime import Runtime

log = logging.getLogger(__name__)


async def sweep_reservations(runtime: Runtime) -> None:
    """Expire holds past their time, forever (the runtime cancels it on shutdown)."""
    while True:
        await asyncio.sleep(runtime.settings.reservation_sweep_seconds)
        try:
            swept = await asyncio.shield(_sweep(runtime))  # never cancelled mid-transaction
        except Exception:
            metrics.SWEEPS.labels("failed").inc()
            log.exception("reservation sweep failed")
            continue
        metrics.SWEEPS.labels("ok").inc()
        metrics.RESERVATIONS_EXPIRED.inc(swept)
        if swept:
            log.info("expired %d reservations", swept)


async def _sweep(runtime: Runtime) -> int:
    async with unit_of_work("reservation-sweeper", runtime.after_commit) as uow:
        return await sweep_expired(uow)
