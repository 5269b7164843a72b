"""Recurring orders: what each run places, when the next is due, and the runs made."""
from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from oms.enums import ScheduleInterval, ScheduleStatus


class OrderSchedule(Model):
    """An order placed every `every` `interval`s from `start_at`. Run n is due at
    `start_at + n * every * interval` (months clamp to the month's last day, from `start_at`,
    so Jan 31 runs on Feb 28/29, then Mar 31); `next_index` is the next run's n, and the
    scheduler claims a run by moving it with a conditional update (`oms.schedules.runner`)."""

    id = fields.UUIDField(primary_key=True)
    channel: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "oms.Channel", related_name="schedules", on_delete=fields.RESTRICT)
    channel_id: int
    status = fields.CharEnumField(ScheduleStatus, max_length=16, default=ScheduleStatus.ACTIVE)
    every = fields.IntField(default=1)
    interval = fields.CharEnumField(ScheduleInterval, max_length=8)
    start_at = fields.DatetimeField()
    "The placeOrder input of each run, as the client sent it (camelCase; see oms.schedules.templates)."
    template: fields.Field[dict[str, Any]] = fields.JSONField()
    next_index = fields.IntField(default=0)
    "When run `next_index` is due (kept while paused; null once cancelled)."
    next_run_at = fields.DatetimeField(null=True)
    last_run_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=1000, null=True)
    created_by = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "order_schedule"
        indexes = (("status", "next_run_at"),)


class ScheduleRun(Model):
    """One run of a schedule: the order it placed, or why it placed none."""

    id = fields.BigIntField(primary_key=True)
    schedule: fields.ForeignKeyRelation[OrderSchedule] = fields.ForeignKeyField(
        "oms.OrderSchedule", related_name="runs", on_delete=fields.CASCADE)
    schedule_id: str
    run_at = fields.DatetimeField()
    order: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "oms.Order", related_name="schedule_runs", null=True, on_delete=fields.SET_NULL)
    order_id: str | None
    error = fields.CharField(max_length=1000, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "schedule_run"
        unique_together = (("schedule_id", "run_at"),)
        indexes = (("order_id",),)
