"""Create, pause, resume and cancel recurring orders, and list them, as a caller may."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from oms.auth import Principal
from oms.clock import now
from oms.enums import ScheduleInterval, ScheduleStatus
from oms.errors import DomainError, ErrorCode, Problems
from oms.models import OrderSchedule
from oms.orders.inputs import OrderSpec
from oms.orders.validation import check_order
from oms.schedules.recurrence import Recurrence
from oms.schedules.templates import to_template
from oms.uow import UnitOfWork
from oms.workflow import Workflow

MAX_EVERY = 366
SCHEDULE = Workflow("schedule", ScheduleStatus.ACTIVE, {
    ScheduleStatus.ACTIVE: frozenset({ScheduleStatus.PAUSED, ScheduleStatus.CANCELLED}),
    ScheduleStatus.PAUSED: frozenset({ScheduleStatus.ACTIVE, ScheduleStatus.CANCELLED}),
    ScheduleStatus.CANCELLED: frozenset(),
})
"A schedule runs until paused (and resumed) or cancelled; cancelled is for good."


@dataclass(frozen=True)
class ScheduleSpec:
    template: OrderSpec
    every: int
    interval: ScheduleInterval
    start_at: datetime


def described(spec: ScheduleSpec) -> dict[str, object]:
    """`spec` as plain JSON (what the audit log keeps of a createOrderSchedule)."""
    return {"template": to_template(spec.template), "every": spec.every,
            "interval": str(spec.interval), "startAt": spec.start_at.isoformat()}


def recurrence(schedule: OrderSchedule) -> Recurrence:
    return Recurrence(schedule.start_at, schedule.every, ScheduleInterval(schedule.interval))


async def create_schedule(uow: UnitOfWork, principal: Principal | None,
                          spec: ScheduleSpec) -> OrderSchedule:
    """A new ACTIVE schedule (`principal` None: the system's, e.g. the demo's). Its template
    is checked as placeOrder checks an order (channel within the token's limits, known SKUs,
    prices, payment, delivery), so a run can fail only on what changes over time (stock, a
    channel switched off)."""
    _check_shape(spec)
    try:
        checked = await check_order(spec.template, principal)
    except DomainError as exc:  # the template's problems, at the template's fields
        raise DomainError([replace(p, field=("template", *(p.field or ()))) for p in exc.problems]) \
            from None
    return await OrderSchedule.create(
        id=uuid.uuid4(), channel_id=checked.channel.id, every=spec.every, interval=spec.interval,
        start_at=spec.start_at, template=to_template(spec.template), next_index=0,
        next_run_at=spec.start_at, created_by=principal.name if principal else None)


def _check_shape(spec: ScheduleSpec) -> None:
    problems = Problems()
    if not 1 <= spec.every <= MAX_EVERY:
        problems.add(ErrorCode.INVALID_INPUT, f"every must be from 1 to {MAX_EVERY}", "every")
    if spec.start_at.tzinfo is None:
        problems.add(ErrorCode.INVALID_INPUT, "startAt needs a time zone offset", "startAt")
    if spec.template.reservation_id is not None:
        problems.add(ErrorCode.INVALID_INPUT, "a schedule cannot consume a cart reservation: "
                     "each run sources anew", "template", "reservationId")
    if spec.template.idempotency_key is not None:
        problems.add(ErrorCode.INVALID_INPUT, "each run's idempotency key is derived from the "
                     "schedule and the run's date: leave it out", "template", "idempotencyKey")
    problems.raise_if_any()


async def visible_schedule(principal: Principal, schedule_id: str) -> OrderSchedule:
    """The schedule, if the caller may see its channel; else NOT_FOUND (nothing to probe)."""
    found = await OrderSchedule.get_or_none(id=_uuid(schedule_id)).prefetch_related("channel") \
        if _uuid(schedule_id) else None
    if found is None or not principal.sees_channel(found.channel.code):
        raise DomainError.of(ErrorCode.NOT_FOUND, f"no schedule {schedule_id}", "id")
    return found


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def pause_schedule(uow: UnitOfWork, principal: Principal, schedule_id: str) -> OrderSchedule:
    """No run is placed while paused."""
    return await _move(principal, schedule_id, ScheduleStatus.PAUSED)


async def resume_schedule(uow: UnitOfWork, principal: Principal, schedule_id: str) -> OrderSchedule:
    """Active again from the first run falling now or later: runs that fell while paused
    are skipped, not caught up."""
    schedule = await visible_schedule(principal, schedule_id)
    index = max(schedule.next_index, recurrence(schedule).first_from(now()))
    schedule.next_index, schedule.next_run_at = index, recurrence(schedule).at(index)
    previous = SCHEDULE.move(schedule, ScheduleStatus.ACTIVE, "id")
    await SCHEDULE.persist(schedule, previous, "next_index", "next_run_at")
    return schedule


async def cancel_schedule(uow: UnitOfWork, principal: Principal, schedule_id: str) -> OrderSchedule:
    """For good: no further run (the orders placed stay as they are)."""
    return await _move(principal, schedule_id, ScheduleStatus.CANCELLED, clear_next=True)


async def _move(principal: Principal, schedule_id: str, target: ScheduleStatus,
                clear_next: bool = False) -> OrderSchedule:
    schedule = await visible_schedule(principal, schedule_id)
    previous = SCHEDULE.move(schedule, target, "id")
    if clear_next:
        schedule.next_run_at = None
    await SCHEDULE.persist(schedule, previous, "next_run_at")
    return schedule


async def list_schedules(principal: Principal, first: int) -> list[OrderSchedule]:
    """Newest first, those of the channels the caller sees."""
    query = OrderSchedule.all()
    if principal.channels:
        query = query.filter(channel__code__in=sorted(principal.channels))
    return list(await query.order_by("-created_at", "-id").limit(max(0, min(first, 500)))
                .prefetch_related("channel"))
