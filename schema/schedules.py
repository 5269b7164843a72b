"""Recurring orders: the schedule, its input and payload."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from oms import models
from oms.enums import ScheduleInterval, ScheduleStatus
from oms.schedules.service import ScheduleSpec
from schema import order_loaders as loaders
from schema.common import UserError
from schema.context import Info
from schema.orders import Order, PlaceOrderInput

strawberry.enum(ScheduleInterval)
strawberry.enum(ScheduleStatus)


@strawberry.type(description="An order placed again and again (replenishment, subscriptions, "
                             "standing B2B orders).")
class OrderSchedule:
    id: strawberry.ID
    status: ScheduleStatus
    every: int
    interval: ScheduleInterval
    next_run_at: datetime | None = strawberry.field(
        description="When the next run places its order (null while paused or once cancelled).")
    template: JSON = strawberry.field(
        description="What each run places (the payment reference gets the run's date appended).")
    last_error: str | None = strawberry.field(
        description="Why the latest run placed no order (null when it placed one).")

    @strawberry.field(description="The order placed at each run, newest first.")
    async def orders(self, info: Info, first: int | None = 20) -> list[Order]:
        key = (str(self.id), 20 if first is None else first)
        rows = await info.context.loaders(loaders.orders_by_schedule).load(key)
        return [Order.of(row) for row in rows]

    @classmethod
    def of(cls, row: models.OrderSchedule) -> OrderSchedule:
        active = row.status == ScheduleStatus.ACTIVE
        template: Any = row.template
        return cls(id=strawberry.ID(str(row.id)), status=ScheduleStatus(row.status),
                   every=row.every, interval=ScheduleInterval(row.interval),
                   next_run_at=row.next_run_at if active else None, template=template,
                   last_error=row.last_error)


@strawberry.input
class OrderScheduleInput:
    template: PlaceOrderInput
    every: int | None = 1
    interval: ScheduleInterval
    start_at: datetime = strawberry.field(description="When the first run is due.")

    def to_spec(self) -> ScheduleSpec:
        every = 1 if self.every is None else self.every
        return ScheduleSpec(self.template.to_spec(), every, self.interval, self.start_at)


@strawberry.type
class OrderSchedulePayload:
    schedule: OrderSchedule | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
