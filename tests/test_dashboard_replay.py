"""The What-if view in a real browser against `oms serve`: three orders placed under a live
"nearest first" rule, that rule tried with priority instead of distance, and the figures, node
load and changed orders the page shows are those replaySourcing answers for the same input
(and, worked out by hand as in tests/test_sourcing_replay.py: every order goes elsewhere).
A refused input shows the server's message; an empty window says so. The weights offered are
the schema's, with introspection on or off."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser

from oms.config import Settings
from tests.browser import Dashboard, dashboard, headless_chromium
from tests.helpers import ADJUST, stock
from tests.order_helpers import network, place, rule
from tests.servers import ServeProcess, oms_serve
from tests.test_dashboard import attribute, server_env, texts
from tests.test_sourcing_replay import REPLAY

TRIED_WEIGHTS = {"distance": 0, "cost": 0, "priority": 1, "backlog": 0, "processingTime": 0}
SHOWN = ("orders", "fullySourced", "backorderedUnits", "shipments", "splitRate",
         "meanDistanceKm", "capacityBreaches")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with headless_chromium() as launched:
        yield launched


@pytest.fixture
async def history(database: Settings, admin_token: str,
                  tmp_path: Path) -> AsyncIterator[tuple[ServeProcess, dict[str, Any]]]:
    """tests/test_sourcing_replay.py's case placed now: MIL, TOR, ROM (priorities 10, 5, 1;
    ROM caps 1 a day) holding 2, 5, 5 of A; orders of 2, 3 (after ROM +3) and 4 units; then
    the live rule "nearest", which placement's default matches."""
    async with oms_serve(server_env(database), admin_token, tmp_path) as server:
        api = server.api
        await network(api, ("MIL", "TOR", "ROM"), MIL={"priority": 10}, TOR={"priority": 5},
                      ROM={"priority": 1, "dailyCapacity": 1})
        await stock(api, ("A", "MIL", 2), ("A", "TOR", 5), ("A", "ROM", 5))
        orders = [await place(api, ("A", 2))]
        adjusted = await api(ADJUST, {"adjustments": [{"sku": "A", "nodeCode": "ROM", "delta": 3}]})
        assert adjusted["adjustInventory"]["userErrors"] == []
        orders += [await place(api, ("A", 3)), await place(api, ("A", 4))]
        live = await rule(api, name="nearest", rank=1)
        yield server, {"orders": orders, "rule": live}


@pytest.fixture
async def board(browser: Browser, history: tuple[ServeProcess, dict[str, Any]],
                tmp_path: Path) -> AsyncIterator[Dashboard]:
    server, _ = history
    async with dashboard(browser, f"http://127.0.0.1:{server.port}", tmp_path) as opened:
        await opened.open(server.api.token, "#/replay")
        await opened.page.wait_for_selector("#replay-form")
        yield opened
        assert opened.foreign_requests() == []
        assert opened.problems == []


async def window_of(board: Dashboard) -> dict[str, str]:
    """The form's window as the page sends it (its datetime-local inputs, in UTC)."""
    return {side: await board.page.eval_on_selector(
        f"#replay-form input[name={side}]", "input => new Date(input.value).toISOString()")
        for side in ("from", "to")}


async def cells(board: Dashboard, table: str, key: str, side: str) -> dict[str, float]:
    """Row key -> the figure a table shows for one side (its cells' data-value)."""
    rows = await attribute(board, f"{table} tbody tr", f"data-{key}")
    values = await attribute(board, f'{table} tbody td[data-side="{side}"]', "data-value")
    return dict(zip(rows, map(float, values), strict=True))


async def test_a_tried_rule_shows_the_figures_replay_sourcing_answers(board, history):
    server, seeded = history
    page = board.page
    assert await page.locator("select[name=rule] option:checked").inner_text() == "nearest (rank 1)"
    assert await page.input_value("input[name=weight-distance]") == "1"  # the live rule's
    await page.fill("input[name=weight-distance]", "0")
    await page.fill("input[name=weight-priority]", "1")
    await page.uncheck("input[name=respectCapacity]")
    await page.click("#replay-form button[type=submit]")
    await page.wait_for_selector("#replay-outcome")
    await board.shot("replay")

    live = seeded["rule"]
    tried = {"id": live["id"], "name": "nearest", "rank": 1, "active": True, "channels": [],
             "deliveryMethods": [], "effectiveFrom": None, "effectiveTo": None,
             "allowBackorder": True, "weights": TRIED_WEIGHTS, "maxSplits": 3,
             "splitPolicy": "ALLOW_SPLIT", "preferNodeTypes": [], "respectCapacity": False}
    input_ = {**await window_of(board), "channel": None, "stock": "AT_ORDER_TIME", "limit": 5000,
              "rules": [tried]}
    out = (await server.api(REPLAY, {"input": input_}))["replaySourcing"]
    assert (out["ordersInWindow"], out["changedOrders"]) == (3, 3)

    for side in ("actual", "replayed"):
        shown = await cells(board, "#replay-outcome", "figure", side)
        assert shown == {name: out[side][name] for name in SHOWN}, side
        units = await cells(board, "#replay-load", "node", side)
        expected = {load["node"]["code"]: load["units"] for load in out[side]["nodeLoad"]}
        assert {node: value for node, value in units.items() if value} == expected, side
    assert await texts(board, "[data-figure=changed-orders]") == ["3"]
    assert await texts(board, "[data-figure=orders-in-window]") == ["3"]
    verdicts = dict(zip(await attribute(board, "#replay-outcome tbody tr", "data-figure"),
                        await attribute(board, "#replay-outcome tbody tr", "data-verdict"), strict=True))
    assert verdicts["backorderedUnits"] == "same" and verdicts["shipments"] == "same"
    assert verdicts["meanDistanceKm"] == "worse"  # ROM and TOR instead of the nearest

    ids = [order["id"] for order in seeded["orders"]]
    assert await attribute(board, "#replay-examples li", "data-order-id") == ids
    assert [e["order"]["id"] for e in out["examples"]] == ids
    assert await texts(board, '#replay-examples dd[data-side="actual"]') == [
        "2 × A at MIL", "3 × A at TOR", "4 × A at ROM"]
    assert await texts(board, '#replay-examples dd[data-side="replayed"]') == [
        "2 × A at ROM", "3 × A at ROM", "4 × A at TOR"]
    await page.click("#replay-examples li:first-child a.order-link")
    await page.wait_for_selector(f'#order-summary[data-order-id="{ids[0]}"]')


async def test_a_refused_input_shows_the_message_and_an_empty_window_says_so(board):
    page = board.page
    await page.select_option("select[name=rule]", "")  # a new rule
    assert await page.input_value("input[name=rank]") == "0"  # before the live rule
    await page.fill("input[name=to]", await page.input_value("input[name=from]"))
    await page.click("#replay-form button[type=submit]")
    error = page.locator("#replay-answer .state-error")
    await error.wait_for()
    assert "from must be before to" in await error.inner_text()

    await page.fill("input[name=from]", "2020-01-01T00:00")
    await page.fill("input[name=to]", "2020-01-02T00:00")
    await page.click("#replay-form button[type=submit]")
    await page.wait_for_selector("#replay-answer .state-empty:has-text('No orders were placed')")


WEIGHT_FIELDS = '{ __type(name: "RoutingWeightsInput") { inputFields { name defaultValue } } }'


async def weight_inputs(board: Dashboard) -> dict[str, float]:
    names = await attribute(board, "#replay-weights input", "name")
    return {name.removeprefix("weight-"): float(await board.page.input_value(f"input[name={name}]"))
            for name in names}


async def test_the_weights_offered_are_the_schemas_with_or_without_introspection(
        browser, database, admin_token, tmp_path):
    """The form lists RoutingWeightsInput's fields with their defaults for a new rule: read
    from the schema when introspection is on, and the same where it is off."""
    schema_weights: dict[str, float] = {}
    for introspection in ("on", "off"):
        env = {**server_env(database), "OMS_INTROSPECTION": introspection}
        async with oms_serve(env, admin_token, tmp_path) as server, \
                dashboard(browser, f"http://127.0.0.1:{server.port}", tmp_path) as board:
            asked = await server.api.raw(WEIGHT_FIELDS)
            if introspection == "on":
                schema_weights = {f["name"]: float(f["defaultValue"])
                                  for f in asked["data"]["__type"]["inputFields"]}
            else:
                assert asked["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
            await board.open(server.api.token, "#/replay")
            await board.page.wait_for_selector("#replay-weights")
            assert await board.page.input_value("select[name=rule]") == ""  # no live rule: a new one
            assert await weight_inputs(board) == schema_weights, introspection
            assert board.foreign_requests() == [] and board.problems == []
