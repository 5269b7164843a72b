"""The dashboard in a real browser (headless Chromium) against `oms serve` in its own
process: sign in with a pasted token, watch orders placed through the API arrive live, open
an order's sourcing decision and plot, read the KPIs and nodes, follow a SKU's stock live,
refuse a bad or revoked token, and lose nothing (and repeat nothing) across a server restart.
Every page asks the server alone for everything (no CDN, no other origin) and logs no error."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser

from oms.config import Settings
from tests.browser import TABLET, Dashboard, dashboard, headless_chromium
from tests.helpers import ADJUST, stock
from tests.order_helpers import network, place
from tests.servers import ServeProcess, eventually, free_port, oms_serve

LIVE_WITHIN_MS = 2_000
EVENT_IDS = "query($id: ID!) { order(id: $id) { events { id } } }"
ACCEPT = """mutation($id: ID!) { acceptFulfillment(fulfillmentId: $id) {
  fulfillment { status } userErrors { code message } } }"""
NEW_TOKEN = """mutation { createApiToken(input: {name: "ops screen", scopes: ["orders:read"]}) {
  token { id } secret userErrors { code message } } }"""
PICKED = """mutation($id: ID!) { markPicked(fulfillmentId: $id) {
  fulfillment { status } userErrors { code message } } }"""
REVOKE = "mutation($id: ID!) { revokeApiToken(id: $id) { userErrors { code message } } }"


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with headless_chromium() as launched:
        yield launched


def server_env(database: Settings) -> dict[str, str]:
    return {"OMS_DATABASE_URL": database.database_url, "OMS_REDIS_URL": database.redis_url or "",
            "OMS_EVENTS_CHANNEL": f"{database.events_channel}:dashboard"}


async def open_shop(api: Any) -> None:
    """Warehouses in Milan (4 fulfillments a day), Turin and Rome; 10 x A on channel web."""
    await network(api, ("MIL", "TOR", "ROM"), MIL={"dailyCapacity": 4})
    await stock(api, ("A", "MIL", 5), ("A", "TOR", 3), ("A", "ROM", 2))


@pytest.fixture
async def shop(database: Settings, admin_token: str, tmp_path: Path) -> AsyncIterator[ServeProcess]:
    async with oms_serve(server_env(database), admin_token, tmp_path) as server:
        await open_shop(server.api)
        yield server


@pytest.fixture
async def board(browser: Browser, shop: ServeProcess, tmp_path: Path) -> AsyncIterator[Dashboard]:
    async with dashboard(browser, f"http://127.0.0.1:{shop.port}", tmp_path) as opened:
        yield opened
        assert opened.foreign_requests() == []
        assert opened.problems == []


async def texts(board: Dashboard, selector: str) -> list[str]:
    return [text.strip() for text in await board.page.locator(selector).all_text_contents()]


async def attribute(board: Dashboard, selector: str, name: str) -> list[str]:
    return await board.page.locator(selector).evaluate_all(
        "(nodes, name) => nodes.map(n => n.getAttribute(name))", name)


async def test_a_placed_order_appears_live_and_its_page_explains_the_sourcing(board, shop):
    await board.open(shop.api.token)
    await board.live()
    await board.page.wait_for_selector("#feed-list .state-empty")
    order = await place(shop.api, ("A", 2))
    items = board.page.locator(f'#feed-list li[data-order-id="{order["id"]}"]')
    await items.first.wait_for(timeout=LIVE_WITHIN_MS)
    await board.page.wait_for_selector('[data-figure="orders-total"]:text-is("1")')
    await board.shot("feed")

    await items.last.locator("a.order-link").click()  # its first event, ORDER_CREATED
    await board.page.wait_for_selector("#candidates")
    assert await attribute(board, "#candidates tbody tr", "data-node") == ["MIL", "TOR", "ROM"]
    assert await attribute(board, "#candidates tbody tr", "data-selected") == ["true", "false", "false"]
    assert "46 km" in (await texts(board, '#candidates tr[data-node="MIL"]'))[0]
    plot = "#sourcing svg.node-plot"
    assert await attribute(board, f"{plot} g.node", "data-code") == ["TOR", "ROM", "MIL"]
    assert await attribute(board, f"{plot} g.node.selected", "data-code") == ["MIL"]
    assert await texts(board, f"{plot} g.destination text") == ["Bergamo"]
    assert await texts(board, "#order-summary [data-fact=number]") == [order["number"]]
    assert await texts(board, "#timeline li strong") == ["ORDER_CREATED", "ALLOCATED"]

    accepted = await shop.api(ACCEPT, {"id": order["fulfillments"][0]["id"]})
    assert accepted["acceptFulfillment"]["userErrors"] == []
    await board.page.wait_for_selector("#timeline li:nth-child(3) strong:text-is('FULFILLMENT_ACCEPTED')",
                                       timeout=LIVE_WITHIN_MS)
    await board.page.wait_for_selector('#order-fulfillments .pill:text-is("ACCEPTED")')
    await board.shot("order")


async def test_the_kpis_show_figures_and_charts(board, shop):
    for _ in range(2):
        await place(shop.api, ("A", 1))
    await board.open(shop.api.token, "#/kpis")
    await board.live()
    await board.page.wait_for_selector('[data-figure="orders"]:text-is("2")')
    assert await texts(board, '[data-figure="units"]') == ["2"]
    assert await texts(board, '[data-figure="revenue"]') == ["20.00 EUR"]
    assert await texts(board, '[data-figure="fill-rate"]') == ["100 %"]
    assert await texts(board, '[data-figure="distance"]') == ["–"]  # nothing shipped yet
    heights = await attribute(board, "svg.series rect.bar", "height")
    assert len(heights) == 24 and sum(float(h) > 0 for h in heights) >= 1  # orders per hour
    assert await board.page.locator("svg.bars").count() >= 2  # rates, statuses
    await board.page.select_option("select[name=window]", "7d")
    await board.page.wait_for_function("() => document.querySelectorAll('svg.series rect.bar').length === 28")
    await board.shot("kpis")


async def test_the_nodes_view_plots_every_node_coloured_by_load(board, shop):
    await place(shop.api, ("A", 1))
    await board.open(shop.api.token)
    await board.live()
    for _ in range(12):  # the views are reachable from the keyboard
        await board.page.keyboard.press("Tab")
        if await board.page.evaluate("document.activeElement.getAttribute('href')") == "#/nodes":
            break
    await board.page.keyboard.press("Enter")
    await board.page.wait_for_selector("#node-table")
    assert sorted(await attribute(board, "svg.node-plot g.node", "data-code")) == ["MIL", "ROM", "TOR"]
    assert "1 / 4" in (await texts(board, '#node-table tr[data-node="MIL"]'))[0]
    fills = dict(zip(await attribute(board, "svg.node-plot g.node", "data-code"),
                     await attribute(board, "svg.node-plot g.node circle", "fill"), strict=True))
    assert fills["MIL"] != fills["TOR"]  # a quarter full against unlimited capacity
    await board.shot("nodes")


async def test_the_sku_lookup_follows_stock_changes_live(board, shop):
    await board.open(shop.api.token, "#/sku?skus=A&channel=web")
    await board.live()
    available = '[data-sku="A"] [data-figure="available"]'
    await board.page.wait_for_selector(f'{available}:text-is("10")')
    nodes = await attribute(board, '[data-sku="A"] table tbody tr', "data-node")
    assert sorted(nodes) == ["MIL", "ROM", "TOR"]
    data = await shop.api(ADJUST, {"adjustments": [{"sku": "A", "nodeCode": "MIL", "delta": 4}]})
    assert data["adjustInventory"]["userErrors"] == []
    await board.page.wait_for_selector(f'{available}:text-is("14")', timeout=LIVE_WITHIN_MS)
    await board.page.wait_for_selector('[data-sku="A"] tr[data-node="MIL"] td:first-of-type:text-is("9")')
    await place(shop.api, ("A", 3))
    await board.page.wait_for_selector(f'{available}:text-is("11")', timeout=LIVE_WITHIN_MS)
    await board.shot("sku")


async def test_a_bad_token_is_refused_clearly_and_another_can_be_pasted(board, shop):
    await board.open("oms_not-a-token")
    error = board.page.locator("#token-form .state-error")
    await error.wait_for()
    assert "refused" in await error.inner_text()
    assert await board.page.evaluate("sessionStorage.length") == 0
    assert await board.page.locator("#nav").is_hidden()
    await board.shot("bad-token")
    await board.sign_in(shop.api.token)
    await board.live()
    await board.page.reload()  # the token is kept for the tab
    await board.live()


async def test_a_token_revoked_meanwhile_sends_the_user_back_to_the_token_form(board, shop):
    made = (await shop.api(NEW_TOKEN))["createApiToken"]
    await board.open(made["secret"])
    await board.live()
    assert (await shop.api(REVOKE, {"id": made["token"]["id"]}))["revokeApiToken"]["userErrors"] == []
    error = board.page.locator("#token-form .state-error")
    await error.wait_for(timeout=5_000)  # the websocket closed with 4403 (or HTTP said so first)
    assert "Paste another one" in await error.inner_text()
    assert await board.page.get_attribute("#connection", "data-state") == "offline"


async def test_every_view_loads_from_the_server_alone_at_tablet_width(browser, shop, tmp_path):
    order = await place(shop.api, ("A", 1))
    async with dashboard(browser, f"http://127.0.0.1:{shop.port}", tmp_path, TABLET) as board:
        await board.open(shop.api.token)
        await board.live()
        for view, ready in [("#/feed", "#feed-list li"), ("#/kpis", "svg.series"),
                            ("#/nodes", "#node-table"), ("#/sku?skus=A&channel=web", "[data-sku=A] table"),
                            (f"#/orders/{order['number']}", "#candidates"), ("#/replay", "#replay-form")]:
            await board.go(view)
            await board.page.wait_for_selector(ready)
            overflow = await board.page.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, f"{view} scrolls sideways at tablet width"
        await board.shot("tablet-order")
        assert {path for path in (url.split("/", 3)[-1] for url in board.requests)} >= {
            "dashboard", "static/dashboard/app.js", "static/dashboard/graphql.js",
            "static/dashboard/views/order.js", "static/dashboard/dashboard.css", "graphql"}
        assert board.foreign_requests() == []
        assert board.problems == []


def outage_aside(problems: list[str]) -> list[str]:
    """What the page logged, less the connections it could not open while the server was down."""
    return [p for p in problems if "WebSocket connection" not in p and "ERR_CONNECTION_REFUSED" not in p]


async def feed_event_ids(board: Dashboard) -> list[str]:
    return await attribute(board, "#feed-list li[data-event-id]", "data-event-id")


async def test_after_a_server_restart_the_feed_shows_every_event_exactly_once(
        browser, database, admin_token, tmp_path):
    """Events of orders placed while the dashboard's server is down (through another server
    on the same database) and after it is back reach the page once each: it reconnects and
    resubscribes `after:` the cursor of the last update it had."""
    env, port = server_env(database), free_port()
    placed: list[dict[str, Any]] = []
    async with dashboard(browser, f"http://127.0.0.1:{port}", tmp_path) as board:
        async with oms_serve(env, admin_token, tmp_path, port=port) as server:
            await open_shop(server.api)
            await board.open(admin_token)
            await board.live()
            placed.append(await place(server.api, ("A", 1)))
            await eventually(lambda: _count(feed_event_ids(board), 2))
        await board.page.wait_for_selector(".connection[data-state=reconnecting]")
        async with oms_serve(env, admin_token, tmp_path) as elsewhere:  # while it is down
            placed += [await place(elsewhere.api, ("A", 1)) for _ in range(2)]
        async with oms_serve(env, admin_token, tmp_path, port=port) as server:
            await board.live()
            placed.append(await place(server.api, ("A", 1)))
            expected = {event["id"] for order in placed
                        for event in (await server.api(EVENT_IDS, {"id": order["id"]}))["order"]["events"]}
            assert len(expected) == 2 * len(placed)
            with contextlib.suppress(AssertionError):  # the comparison below says what differs
                await eventually(lambda: _same(feed_event_ids(board), expected), within=10)
            await asyncio.sleep(1.0)  # nothing arrives twice later either
            shown = await feed_event_ids(board)
            assert sorted(shown) == sorted(expected), [o["number"] for o in placed]
            await board.shot("after-restart")
        assert board.foreign_requests() == []
        assert outage_aside(board.problems) == []


async def _count(ids: Any, count: int) -> bool:
    return len(await ids) == count


async def _same(ids: Any, expected: set[str]) -> bool:
    return set(await ids) == expected


async def test_after_a_server_restart_the_order_timeline_catches_up_exactly_once(
        browser, database, admin_token, tmp_path):
    """The order page resubscribes `orderUpdates(after:)` its last event id: an event made
    while its server was down (through another server) comes first, then live ones, none twice."""
    env, port = server_env(database), free_port()
    async with dashboard(browser, f"http://127.0.0.1:{port}", tmp_path) as board:
        async with oms_serve(env, admin_token, tmp_path, port=port) as server:
            await open_shop(server.api)
            order = await place(server.api, ("A", 1))
            fulfillment = {"id": order["fulfillments"][0]["id"]}
            await board.open(admin_token, f"#/orders/{order['id']}")
            await board.live()
            await board.page.wait_for_selector("#timeline li:nth-child(2)")
        await board.page.wait_for_selector(".connection[data-state=reconnecting]")
        async with oms_serve(env, admin_token, tmp_path) as elsewhere:
            assert (await elsewhere.api(ACCEPT, fulfillment))["acceptFulfillment"]["userErrors"] == []
        async with oms_serve(env, admin_token, tmp_path, port=port) as server:
            await board.live()
            assert (await server.api(PICKED, fulfillment))["markPicked"]["userErrors"] == []
            events = (await server.api(EVENT_IDS, {"id": order["id"]}))["order"]["events"]
            expected = [event["id"] for event in events]
            assert len(expected) == 4
            timeline = "#timeline li[data-event-id]"
            with contextlib.suppress(AssertionError):
                await eventually(lambda: _equal(attribute(board, timeline, "data-event-id"), expected))
            await asyncio.sleep(1.0)
            assert await attribute(board, timeline, "data-event-id") == expected
            assert await texts(board, "#timeline li strong") == [
                "ORDER_CREATED", "ALLOCATED", "FULFILLMENT_ACCEPTED", "FULFILLMENT_PICKED"]
        assert board.foreign_requests() == []
        assert outage_aside(board.problems) == []


async def _equal(found: Any, expected: list[str]) -> bool:
    return bool(await found == expected)


HOOK = """mutation($url: String!) { upsertWebhookEndpoint(input: {url: $url, events: [ORDER_CREATED]}) {
  endpoint { id } userErrors { code message } } }"""


async def test_a_disabled_webhook_endpoint_shows_among_the_alerts(browser, database, admin_token,
                                                                   tmp_path):
    env = {**server_env(database), "OMS_WEBHOOK_ALLOW_PRIVATE": "on",
           "OMS_WEBHOOK_MAX_FAILURES": "1", "OMS_WEBHOOK_RETRY_BASE_SECONDS": "0.05"}
    async with oms_serve(env, admin_token, tmp_path) as server, \
            dashboard(browser, f"http://127.0.0.1:{server.port}", tmp_path) as board:
        await open_shop(server.api)
        await board.open(server.api.token)
        await board.live()
        await board.page.wait_for_selector("#alert-list .state-empty")
        nobody = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens: every attempt fails
        made = await server.api(HOOK, {"url": nobody})
        assert made["upsertWebhookEndpoint"]["userErrors"] == []
        endpoint_id = made["upsertWebhookEndpoint"]["endpoint"]["id"]
        await place(server.api, ("A", 1))
        await board.page.wait_for_selector(f'#alert-list li[data-endpoint-id="{endpoint_id}"]',
                                           timeout=15_000)
        assert "ENDPOINT_DISABLED" in (await texts(board, "#alert-list li"))[0]
        await board.shot("alerts")
        assert board.foreign_requests() == [] and board.problems == []
