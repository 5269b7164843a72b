"""The background job that gives back expired cart holds, every few seconds in every process."""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from oms import db, telemetry
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
            telemetry.SWEEPS.labels("ok").inc()
            telemetry.RESERVATIONS_EXPIRED.inc(swept)
            if swept:
                log.info("expired %d reservations", swept)
        except Exception as exc:
            telemetry.SWEEPS.labels("failed").inc()
            if not db.unreachable(exc):
                log.exception("reservation sweep failed")
            else:  # an outage is not a fault of ours: one line, not a traceback every sweep
                log.warning("reservation sweep: database unavailable (%s)", type(exc).__name__)


async def _sweep(runtime: Runtime) -> int:
    async with unit_of_work("reservation-sweeper", runtime.after_commit) as uow:
        return await sweep_expired(uow)
