"""The scheduler: places each due run of every active schedule once, whatever the number of
processes running it.

A run is claimed by moving the schedule's `next_index` on from the value read, with a
conditional update in the transaction that places the run's order: of two processes, the
second's update waits for the first's commit, then matches no row, and it places nothing.
A crash before commit rolls back claim and order alike; the order's idempotency key (schedule
+ run date) is the last line: a run placed again finds the order it placed.
A refused run (out of stock under a rule without backorders, a channel switched off) places
nothing: it is claimed again in a transaction of its own, with `last_error` and a run row
saying why, and the schedule moves on.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from oms import db
from oms.clock import now
from oms.enums import ScheduleCatchUp, ScheduleStatus
from oms.errors import DomainError
from oms.models import OrderSchedule, ScheduleRun
from oms.orders.placement import place_order
from oms.schedules.service import recurrence
from oms.schedules.templates import for_run
from oms.uow import AfterCommit, UnitOfWork, run_in_unit_of_work

if TYPE_CHECKING:
    from oms.payments.provider import PaymentProvider
    from oms.runtime import Runtime

log = logging.getLogger(__name__)
BATCH = 100
"Schedules looked at per sweep, and runs caught up per schedule per sweep."


async def schedule_forever(runtime: Runtime) -> None:
    """Place the runs that are due, forever (the runtime cancels it on shutdown)."""
    settings = runtime.settings
    while True:
        await asyncio.sleep(settings.schedule_sweep_seconds)
        try:
            # shielded: never cancelled mid-transaction
            await asyncio.shield(run_due(ScheduleCatchUp(settings.schedule_catch_up),
                                         runtime.after_commit, runtime.payments))
        except Exception as exc:
            if not db.unreachable(exc):
                log.exception("order schedules failed")
            else:
                log.warning("order schedules: database unavailable (%s)", type(exc).__name__)


@dataclass(frozen=True)
class DueRun:
    schedule_id: str
    read_index: int
    "The schedule's `next_index` as read: the claim matches only while it still holds."
    index: int
    at: datetime
    following: datetime
    template: dict[str, Any]


async def run_due(catch_up: ScheduleCatchUp = ScheduleCatchUp.ALL,
                  after_commit: AfterCommit | None = None,
                  payments: PaymentProvider | None = None) -> int:
    """Place every run due now (with `catch_up`, runs missed meanwhile: all, or the latest
    only); returns how many runs this call claimed, placed or refused."""
    due = await (OrderSchedule.filter(status=ScheduleStatus.ACTIVE, next_run_at__lte=now())
                 .order_by("next_run_at", "id").limit(BATCH).values_list("id", flat=True))
    made = 0
    for schedule_id in due:
        for _ in range(BATCH):
            run = await _due_run(str(schedule_id), catch_up)
            if run is None or not await _run(run, after_commit, payments):
                break
            made += 1
    return made


async def _due_run(schedule_id: str, catch_up: ScheduleCatchUp) -> DueRun | None:
    row = await OrderSchedule.get_or_none(id=schedule_id, status=ScheduleStatus.ACTIVE)
    if row is None or row.next_run_at is None or row.next_run_at > now():
        return None
    runs = recurrence(row)
    index = row.next_index
    if catch_up is ScheduleCatchUp.LATEST:
        index = max(index, runs.first_after(now()) - 1)
    return DueRun(str(row.id), row.next_index, index, runs.at(index), runs.at(index + 1),
                  row.template)


async def _claim(run: DueRun, error: str | None = None) -> bool:
    """Move the schedule past `run` if nobody did meanwhile (the row stays locked to commit)."""
    return bool(await OrderSchedule.filter(
        id=run.schedule_id, status=ScheduleStatus.ACTIVE, next_index=run.read_index,
    ).update(next_index=run.index + 1, next_run_at=run.following, last_run_at=run.at,
             last_error=error, updated_at=now()))


async def _run(run: DueRun, after_commit: AfterCommit | None,
               payments: PaymentProvider | None) -> bool:
    """Place `run`'s order, or record why it was refused; False when another process had it."""
    actor = f"schedule:{run.schedule_id}"
    try:
        return await run_in_unit_of_work(actor, lambda uow: _place(uow, run), after_commit,
                                         payments)
    except DomainError as exc:
        why = "; ".join(f"{p.code}: {p.message}" for p in exc.problems)[:1000]
        return await run_in_unit_of_work(actor, lambda uow: _refused(uow, run, why))


async def _place(uow: UnitOfWork, run: DueRun) -> bool:
    if not await _claim(run):
        return False
    order = await place_order(uow, None, for_run(run.template, run.schedule_id, run.at))
    await ScheduleRun.create(schedule_id=run.schedule_id, run_at=run.at, order_id=order.id)
    return True


async def _refused(uow: UnitOfWork, run: DueRun, why: str) -> bool:
    if not await _claim(run, error=why):
        return False
    log.warning("schedule %s: run of %s refused: %s", run.schedule_id, run.at.isoformat(), why)
    await ScheduleRun.create(schedule_id=run.schedule_id, run_at=run.at, error=why)
    return True
