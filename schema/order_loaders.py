"""Batch functions for orders and what hangs off them (read-only, one query per batch)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from oms.models import (
    Document,
    Fulfillment,
    FulfillmentLine,
    Notification,
    Order,
    OrderEvent,
    OrderLine,
    OrderSchedule,
    Return,
    ScheduleRun,
)


def _grouped(rows: Sequence[Any], key: str, wanted: Sequence[Any]) -> list[list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        groups[str(getattr(row, key))].append(row)
    return [groups.get(str(k), []) for k in wanted]


async def orders_by_id(ids: Sequence[str]) -> list[Order | None]:
    found = {str(o.id): o for o in await Order.filter(id__in=set(ids))}
    return [found.get(str(i)) for i in ids]


async def lines_by_order(order_ids: Sequence[str]) -> list[list[OrderLine]]:
    rows = await OrderLine.filter(order_id__in=set(order_ids)).order_by("position")
    return _grouped(rows, "order_id", order_ids)


async def order_lines_by_id(ids: Sequence[str]) -> list[OrderLine | None]:
    found = {str(line.id): line for line in await OrderLine.filter(id__in=set(ids))}
    return [found.get(str(i)) for i in ids]


async def currency_by_order(order_ids: Sequence[str]) -> list[str]:
    rows = dict(await Order.filter(id__in=set(order_ids)).values_list("id", "currency"))
    found = {str(k): v for k, v in rows.items()}
    return [found.get(str(i), "") for i in order_ids]


async def fulfillments_by_order(order_ids: Sequence[str]) -> list[list[Fulfillment]]:
    rows = await Fulfillment.filter(order_id__in=set(order_ids)).order_by("created_at", "id")
    return _grouped(rows, "order_id", order_ids)


async def fulfillment_lines_by_fulfillment(ids: Sequence[str]) -> list[list[FulfillmentLine]]:
    rows = await FulfillmentLine.filter(fulfillment_id__in=set(ids)).order_by("id")
    return _grouped(rows, "fulfillment_id", ids)


async def events_by_order(order_ids: Sequence[str]) -> list[list[OrderEvent]]:
    rows = await OrderEvent.filter(order_id__in=set(order_ids)).order_by("id")
    return _grouped(rows, "order_id", order_ids)


async def returns_by_order(order_ids: Sequence[str]) -> list[list[Return]]:
    rows = await Return.filter(order_id__in=set(order_ids)).order_by("created_at")
    return _grouped(rows, "order_id", order_ids)


async def notifications_by_order(order_ids: Sequence[str]) -> list[list[Notification]]:
    rows = await Notification.filter(order_id__in=set(order_ids)).order_by("id")
    return _grouped(rows, "order_id", order_ids)


async def documents_by_order(order_ids: Sequence[str]) -> list[list[Document]]:
    rows = await Document.filter(order_id__in=set(order_ids)).order_by("created_at", "number")
    return _grouped(rows, "order_id", order_ids)


async def documents_by_fulfillment(ids: Sequence[str]) -> list[list[Document]]:
    rows = await Document.filter(fulfillment_id__in=set(ids)).order_by("created_at", "number")
    return _grouped(rows, "fulfillment_id", ids)


async def orders_by_schedule(keys: Sequence[tuple[str, int]]) -> list[list[Order]]:
    """Key: (schedule id, how many): the orders its runs placed, newest run first."""
    runs = await ScheduleRun.filter(schedule_id__in={str(k) for k, _ in keys},
                                    order_id__not_isnull=True) \
        .order_by("-run_at").values_list("schedule_id", "order_id")
    by_schedule: dict[str, list[str]] = {}
    for schedule_id, order_id in runs:
        by_schedule.setdefault(str(schedule_id), []).append(str(order_id))
    wanted = {key: by_schedule.get(str(key[0]), [])[:max(0, min(key[1], 500))] for key in keys}
    ids = {order_id for chosen in wanted.values() for order_id in chosen}
    orders = {str(o.id): o for o in await Order.filter(id__in=ids)} if ids else {}
    return [[orders[i] for i in wanted[key] if i in orders] for key in keys]


async def schedules_by_order(order_ids: Sequence[str]) -> list[OrderSchedule | None]:
    runs = {str(order_id): str(schedule_id) for order_id, schedule_id in await ScheduleRun.filter(
        order_id__in=set(order_ids)).values_list("order_id", "schedule_id")}
    schedules = {str(s.id): s for s in await OrderSchedule.filter(id__in=set(runs.values()))}
    return [schedules.get(runs.get(str(i), "")) for i in order_ids]
