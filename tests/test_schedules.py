"""Recurring orders through GraphQL: each due run placed once (however many schedulers run),
missed runs caught up (all, or the latest only), month ends, pause/resume/cancel, refusals
recorded, bad input refused. Time moves by `oms.clock`; the scheduler is called directly
(`oms.schedules.runner.run_due`) where a test drives it, and runs in the servers' lifespan
in the process tests."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from oms import clock
from oms.config import Settings
from oms.enums import ScheduleCatchUp, ScheduleInterval
from oms.schedules.recurrence import Recurrence
from oms.schedules.runner import run_due
from tests.conftest import Api
from tests.helpers import app_client
from tests.order_helpers import PLACE, network, rule, stock
from tests.schedule_helpers import create, move, schedule, schedule_input
from tests.servers import eventually, oms_serve

T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
async def shop(database: Settings, admin_token: str) -> AsyncIterator[Api]:
    """An app whose own scheduler waits an hour (the test drives `run_due`), nodes, channel
    web and 100 x A at MIL."""
    async with app_client(replace(database, schedule_sweep_seconds=3600)) as client:
        api = Api(client, admin_token)
        await network(api)
        await stock(api, ("A", "MIL", 100))
        yield api


def at(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


async def test_a_schedule_places_each_due_run_once_and_moves_on(shop: Api) -> None:
    with clock.use(clock.ManualClock(T - timedelta(hours=1))) as time:
        made = await create(shop, schedule_input(T, payment={
            "reference": "card-9", "amount": {"amount": "10.00", "currency": "EUR"}}))
        assert (made["status"], made["every"], made["interval"]) == ("ACTIVE", 1, "DAY")
        assert at(made["nextRunAt"]) == T and made["orders"] == [] and made["lastError"] is None
        assert made["template"]["lines"] == [
            {"sku": "A", "quantity": 1, "unitPrice": {"amount": "10.00", "currency": "EUR"}}]
        assert await run_due() == 0  # not due yet
        time.advance(3600)
        assert await run_due() == 1
        assert await run_due() == 0  # the run is done: nothing twice
        after = await schedule(shop, made["id"])
        assert at(after["nextRunAt"]) == T + DAY and after["lastError"] is None
        [order] = after["orders"]
        assert order["status"] == "ALLOCATED" and order["schedule"] == {"id": made["id"]}
        payment = await shop('query($id: ID!) { order(id: $id) { paymentStatus } }',
                             {"id": order["id"]})
        assert payment["order"]["paymentStatus"] == "AUTHORIZED"


async def test_schedulers_running_at_once_place_each_run_once(shop: Api) -> None:
    """Three schedulers at once (three connections on PostgreSQL), four runs due."""
    with clock.use(clock.ManualClock(T)) as time:
        made = await create(shop, schedule_input(T))
        time.advance(3 * 86400)
        claimed = await asyncio.gather(run_due(), run_due(), run_due())
        assert sum(claimed) == 4
        after = await schedule(shop, made["id"])
        assert len(after["orders"]) == 4 and at(after["nextRunAt"]) == T + 4 * DAY
        numbers = {o["number"] for o in after["orders"]}
        assert len(numbers) == 4


async def test_missed_runs_are_caught_up_all_or_only_the_latest(shop: Api) -> None:
    """Runs 0..5 fell while nothing ran: ALL places six orders, LATEST only run 5's."""
    down = 5 * 86400 + 60
    with clock.use(clock.ManualClock(T)) as time:
        every = await create(shop, schedule_input(T))
        time.advance(down)
        assert await run_due(ScheduleCatchUp.ALL) == 6
        caught_up = await schedule(shop, every["id"])
        assert len(caught_up["orders"]) == 6 and at(caught_up["nextRunAt"]) == T + 6 * DAY
    with clock.use(clock.ManualClock(T)) as time:  # a second schedule, the same downtime
        latest = await create(shop, schedule_input(T))
        time.advance(down)
        assert await run_due(ScheduleCatchUp.LATEST) == 1
        only = await schedule(shop, latest["id"])
        assert len(only["orders"]) == 1 and at(only["nextRunAt"]) == T + 6 * DAY
        assert len((await schedule(shop, every["id"]))["orders"]) == 6


async def test_monthly_runs_keep_to_month_ends(shop: Api) -> None:
    start = datetime(2028, 1, 31, 9, 0, tzinfo=UTC)  # 2028 is a leap year
    with clock.use(clock.ManualClock(start)) as time:
        made = await create(shop, schedule_input(start, "MONTH"))
        seen = []
        for _ in range(4):
            assert await run_due() == 1
            next_run = at((await schedule(shop, made["id"]))["nextRunAt"])
            assert next_run is not None
            seen.append(next_run.date().isoformat())
            time.advance((next_run - time.now()).total_seconds())
        assert seen == ["2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31"]


def test_month_arithmetic_counts_from_the_start() -> None:
    runs = Recurrence(datetime(2027, 1, 31, tzinfo=UTC), 1, ScheduleInterval.MONTH)
    assert [runs.at(i).date().isoformat() for i in range(4)] == [
        "2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]
    quarterly = Recurrence(datetime(2027, 11, 30, tzinfo=UTC), 3, ScheduleInterval.MONTH)
    assert quarterly.at(1).date().isoformat() == "2028-02-29"
    weekly = Recurrence(T, 2, ScheduleInterval.WEEK)
    assert weekly.first_after(T) == 1 and weekly.first_after(T + timedelta(days=14)) == 2
    assert weekly.first_from(T + timedelta(days=14)) == 1 and weekly.first_after(T - DAY) == 0


async def test_pause_resume_and_cancel(shop: Api) -> None:
    with clock.use(clock.ManualClock(T)) as time:
        made = await create(shop, schedule_input(T))
        paused = await move(shop, "pauseOrderSchedule", made["id"])
        assert paused["userErrors"] == [] and paused["schedule"]["status"] == "PAUSED"
        assert paused["schedule"]["nextRunAt"] is None
        time.advance(2 * 86400 + 3600)
        assert await run_due() == 0  # nothing while paused
        resumed = (await move(shop, "resumeOrderSchedule", made["id"]))["schedule"]
        # the runs that fell while paused are skipped: the next one is tomorrow's
        assert resumed["status"] == "ACTIVE" and at(resumed["nextRunAt"]) == T + 3 * DAY
        assert await run_due() == 0
        time.advance(86400)
        assert await run_due() == 1
        cancelled = (await move(shop, "cancelOrderSchedule", made["id"]))["schedule"]
        assert cancelled["status"] == "CANCELLED" and cancelled["nextRunAt"] is None
        assert len(cancelled["orders"]) == 1
        time.advance(10 * 86400)
        assert await run_due() == 0
        again = await move(shop, "resumeOrderSchedule", made["id"])
        assert again["schedule"] is None
        assert [e["code"] for e in again["userErrors"]] == ["INVALID_TRANSITION"]
        unknown = await move(shop, "pauseOrderSchedule", "no-such-id")
        assert [(e["code"], e["field"]) for e in unknown["userErrors"]] == [("NOT_FOUND", ["id"])]


async def test_a_refused_run_records_why_and_the_schedule_moves_on(shop: Api) -> None:
    await rule(shop, name="no backorders", rank=1, allowBackorder=False)
    with clock.use(clock.ManualClock(T)) as time:
        made = await create(shop, schedule_input(T, "DAY", 1, ("A", 150)))
        assert await run_due() == 1
        refused = await schedule(shop, made["id"])
        assert refused["orders"] == [] and "INSUFFICIENT_STOCK" in refused["lastError"]
        assert at(refused["nextRunAt"]) == T + DAY
        await stock(shop, ("A", "MIL", 200))
        time.advance(86400)
        assert await run_due() == 1
        placed = await schedule(shop, made["id"])
        assert len(placed["orders"]) == 1 and placed["lastError"] is None


async def test_out_of_stock_under_a_rule_allowing_backorders_places_a_backorder(shop: Api) -> None:
    with clock.use(clock.ManualClock(T)):
        made = await create(shop, schedule_input(T, "DAY", 1, ("A", 150)))
        assert await run_due() == 1
        [order] = (await schedule(shop, made["id"]))["orders"]
        assert order["status"] == "PARTIALLY_ALLOCATED"
        lines = (await shop('query($id: ID!) { order(id: $id) { lines { backorderedQuantity } } }',
                            {"id": order["id"]}))["order"]["lines"]
        assert lines == [{"backorderedQuantity": 50}]


async def test_a_run_whose_order_was_already_placed_places_no_second_one(shop: Api) -> None:
    """As after a crash between placing and recording: the run's idempotency key (schedule
    and date) finds the order placed first."""
    with clock.use(clock.ManualClock(T)):
        made = await create(shop, schedule_input(T))
        first = (await shop(PLACE, {"input": {**made["template"],
                                              "idempotencyKey": f"schedule:{made['id']}:2026-03-02"}}
                            ))["placeOrder"]
        assert first["userErrors"] == []
        assert await run_due() == 1
        after = await schedule(shop, made["id"])
        assert [o["id"] for o in after["orders"]] == [first["order"]["id"]]
        count = await shop('{ orders(first: 50) { totalCount } }')
        assert count["orders"]["totalCount"] == 1


async def test_a_restarted_server_places_only_the_runs_not_placed(
        database: Settings, admin_token: str) -> None:
    with clock.use(clock.ManualClock(T)) as time:
        async with app_client(replace(database, schedule_sweep_seconds=3600)) as client:
            api = Api(client, admin_token)
            await network(api)
            await stock(api, ("A", "MIL", 100))
            made = await create(api, schedule_input(T))
            assert await run_due() == 1
        time.advance(2 * 86400)  # down for two days
        async with app_client(replace(database, schedule_sweep_seconds=3600)) as client:
            assert await run_due() == 2
            after = await schedule(Api(client, admin_token), made["id"])
            assert len(after["orders"]) == 3 and at(after["nextRunAt"]) == T + 3 * DAY


async def test_bad_schedules_are_refused_with_nothing_written(shop: Api) -> None:
    cases = [
        (schedule_input(T, every=0), ("INVALID_INPUT", ["every"])),
        (schedule_input(T, reservationId="r-1"), ("INVALID_INPUT", ["template", "reservationId"])),
        (schedule_input(T, idempotencyKey="k"), ("INVALID_INPUT", ["template", "idempotencyKey"])),
        (schedule_input(T, channel="nowhere"), ("UNKNOWN_CHANNEL", ["template", "channel"])),
    ]
    for body, expected in cases:
        refused = (await shop(
            "mutation($input: OrderScheduleInput!) { createOrderSchedule(input: $input) "
            "{ schedule { id } userErrors { code field } } }", {"input": body}))["createOrderSchedule"]
        assert refused["schedule"] is None
        assert (refused["userErrors"][0]["code"], refused["userErrors"][0]["field"]) == expected
    assert (await shop("{ orderSchedules { id } }"))["orderSchedules"] == []


async def test_two_server_processes_place_each_run_once_and_again_after_a_restart(
        database: Settings, admin_token: str, tmp_path: Path) -> None:
    """`oms serve` twice on one PostgreSQL database, each with its scheduler sweeping every
    0.1 s, four daily runs due at start (caught up); then one is replaced by a new process."""
    if not database.is_postgres:
        pytest.skip("several server processes share PostgreSQL (SQLite serves one process)")
    env = {"OMS_DATABASE_URL": database.database_url, "OMS_REDIS_URL": database.redis_url or "",
           "OMS_EVENTS_CHANNEL": database.events_channel, "OMS_SCHEDULE_SWEEP_SECONDS": "0.1",
           "OMS_DB_POOL_MAX": "5"}
    start = datetime.now(UTC) - timedelta(days=3, minutes=1)
    async with oms_serve(env, admin_token, tmp_path) as one:
        await network(one.api)
        await stock(one.api, ("A", "MIL", 100))
        async with oms_serve(env, admin_token, tmp_path) as two:
            made = await create(one.api, schedule_input(start))
            await eventually(lambda: _placed(two.api, made["id"], 4), within=20)
        async with oms_serve(env, admin_token, tmp_path) as three:
            await asyncio.sleep(1.0)  # ten sweeps of each process
            assert await _placed(three.api, made["id"], 4)


async def _placed(api: Any, schedule_id: str, count: int) -> bool:
    """Whether the schedule's runs placed `count` orders, the only orders there are (read
    first: each run's order and its run row commit together); never more."""
    total = (await api('{ orders(first: 50) { totalCount } }'))["orders"]["totalCount"]
    found = await schedule(api, schedule_id)
    assert total <= len(found["orders"]) <= count, (total, found)
    return total == len(found["orders"]) == count


async def test_schedules_list_their_orders_newest_run_first_in_one_batch(shop: Api) -> None:
    with clock.use(clock.ManualClock(T)) as time:
        one = await create(shop, schedule_input(T))
        two = await create(shop, schedule_input(T))
        time.advance(2 * 86400)
        assert await run_due() == 6
        listed = (await shop("{ orderSchedules { id orders(first: 2) { id createdAt } } }"))[
            "orderSchedules"]
    by_id = {s["id"]: s["orders"] for s in listed}
    for made in (one, two):
        newest = (await schedule(shop, made["id"]))["orders"]
        assert len(newest) == 3 and [o["id"] for o in by_id[made["id"]]] == [o["id"] for o in newest[:2]]
    assert not {o["id"] for o in by_id[one["id"]]} & {o["id"] for o in by_id[two["id"]]}
