"""Recurring orders: list, create, pause, resume, cancel."""
from __future__ import annotations

import strawberry

from oms import scopes
from oms.models import OrderSchedule as ScheduleRow
from oms.schedules import service
from resolvers.base import Outcome, mutate
from schema.context import Info
from schema.schedules import OrderSchedule, OrderScheduleInput, OrderSchedulePayload


def _payload(out: Outcome[ScheduleRow]) -> OrderSchedulePayload:
    return OrderSchedulePayload(schedule=out.map(OrderSchedule.of), user_errors=out.user_errors)


def _audited(row: ScheduleRow) -> str:
    return f"schedule:{row.id}"


@strawberry.type
class SchedulesQuery:
    @strawberry.field(description="Newest first; a channel-limited token sees its channels' only.")
    async def order_schedules(self, info: Info, first: int | None = 50) -> list[OrderSchedule]:
        who = await info.context.require(*scopes.READ_SCHEDULES)
        rows = await service.list_schedules(who, 50 if first is None else first)
        return [OrderSchedule.of(row) for row in rows]


@strawberry.type
class SchedulesMutation:
    @strawberry.mutation
    async def create_order_schedule(self, info: Info,
                                    input: OrderScheduleInput) -> OrderSchedulePayload:
        spec = input.to_spec()
        return _payload(await mutate(info, scopes.MANAGE_SCHEDULES,
                                     lambda uow, who: service.create_schedule(uow, who, spec),
                                     audit=_audited,
                                     audit_details=lambda: service.described(spec)))

    @strawberry.mutation
    async def pause_order_schedule(self, info: Info, id: strawberry.ID) -> OrderSchedulePayload:
        return _payload(await mutate(info, scopes.MANAGE_SCHEDULES,
                                     lambda uow, who: service.pause_schedule(uow, who, str(id)),
                                     audit=_audited))

    @strawberry.mutation
    async def resume_order_schedule(self, info: Info, id: strawberry.ID) -> OrderSchedulePayload:
        return _payload(await mutate(info, scopes.MANAGE_SCHEDULES,
                                     lambda uow, who: service.resume_schedule(uow, who, str(id)),
                                     audit=_audited))

    @strawberry.mutation
    async def cancel_order_schedule(self, info: Info, id: strawberry.ID) -> OrderSchedulePayload:
        return _payload(await mutate(info, scopes.MANAGE_SCHEDULES,
                                     lambda uow, who: service.cancel_schedule(uow, who, str(id)),
                                     audit=_audited))
