"""GraphQL operations and a shop for the recurring-order tests."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.order_helpers import order_input

SCHEDULE_FIELDS = "id status every interval nextRunAt template lastError " \
                  "orders(first: 50) { id number status schedule { id } }"
CREATE = ("mutation($input: OrderScheduleInput!) { createOrderSchedule(input: $input) { schedule { "
          + SCHEDULE_FIELDS + " } userErrors { code message field } } }")
MOVE = ("mutation($id: ID!) { %s(id: $id) { schedule { " + SCHEDULE_FIELDS
        + " } userErrors { code message field } } }")
LIST = "{ orderSchedules { " + SCHEDULE_FIELDS + " } }"


def schedule_input(start: datetime, interval: str = "DAY", every: int = 1,
                   *lines: tuple[str, int], **template: Any) -> dict[str, Any]:
    return {"template": order_input(*(lines or (("A", 1),)), customerEmail="standing@example.com",
                                    **template),
            "every": every, "interval": interval, "startAt": start.isoformat()}


async def create(api: Any, body: dict[str, Any]) -> dict[str, Any]:
    made = (await api(CREATE, {"input": body}))["createOrderSchedule"]
    assert made["userErrors"] == [], made
    return made["schedule"]


async def move(api: Any, mutation: str, schedule_id: str) -> dict[str, Any]:
    return (await api(MOVE % mutation, {"id": schedule_id}))[mutation]


async def schedule(api: Any, schedule_id: str) -> dict[str, Any]:
    return next(s for s in (await api(LIST))["orderSchedules"] if s["id"] == schedule_id)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
