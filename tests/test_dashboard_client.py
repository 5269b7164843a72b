"""The dashboard's own graphql-transport-ws client (`graphql.js`) and its order feed
(`orderfeed.js`), run in headless Chromium against a scripted websocket server, so each
protocol step is checked as the browser sends it: the token in `connection_init`, pongs,
resubscribing `after:` the last cursor after SUBSCRIBER_TOO_SLOW and after a lost
connection (with backoff), dropping repeats by event id, starting afresh on CURSOR_EXPIRED,
and no reconnect once the token is refused (4403)."""
from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, Page
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from oms.app import DASHBOARD_ASSETS, DASHBOARD_ASSETS_URL
from tests.browser import headless_chromium
from tests.servers import eventually, free_port

pytestmark = pytest.mark.no_database

START = """async (url) => {
  const {LiveSocket} = await import("/static/dashboard/graphql.js");
  const {OrderFeed} = await import("/static/dashboard/orderfeed.js");
  window.states = [];
  window.refused = [];
  const socket = new LiveSocket(url, "s3cret", {onStatus: (s) => states.push(s.state),
                                                onRefused: (why) => refused.push(why)});
  window.feed = new OrderFeed(socket);
}"""


class Peer:
    """The server's end of one websocket; pings from the client are answered, not returned."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self.done = asyncio.Event()

    async def recv(self) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.websocket.receive_text(), 10))
            if message != {"type": "ping"}:
                return message
            await self.send({"type": "pong"})

    async def send(self, message: dict[str, Any]) -> None:
        await self.websocket.send_text(json.dumps(message))

    async def close(self, code: int, reason: str = "") -> None:
        await self.websocket.close(code, reason)
        self.done.set()


@dataclass
class ScriptedServer:
    port: int
    peers: asyncio.Queue[Peer] = field(default_factory=asyncio.Queue)
    seen: list[Peer] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    async def endpoint(self, websocket: WebSocket) -> None:
        await websocket.accept(subprotocol="graphql-transport-ws")
        peer = Peer(websocket)
        self.seen.append(peer)
        await self.peers.put(peer)
        with contextlib.suppress(WebSocketDisconnect):
            await peer.done.wait()

    async def connected(self) -> Peer:
        """The next connection, past its connection_init (which must carry the token)."""
        peer = await asyncio.wait_for(self.peers.get(), 10)
        assert await peer.recv() == {"type": "connection_init", "payload": {"authorization": "Bearer s3cret"}}
        return peer


@pytest.fixture
async def scripted() -> AsyncIterator[ScriptedServer]:
    server = ScriptedServer(free_port())
    app = Starlette(routes=[
        Route("/", lambda request: HTMLResponse("<!doctype html><title>client</title>")),
        WebSocketRoute("/graphql", server.endpoint),
        Mount(DASHBOARD_ASSETS_URL, StaticFiles(directory=DASHBOARD_ASSETS)),
    ])
    runner = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=server.port, log_level="warning"))
    task = asyncio.create_task(runner.serve())
    await eventually(lambda: runner.started, within=10)
    try:
        yield server
    finally:
        for peer in server.seen:
            peer.done.set()
        runner.should_exit = True
        await asyncio.wait_for(task, 15)


@pytest.fixture
async def page(scripted: ScriptedServer) -> AsyncIterator[Page]:
    async with headless_chromium() as browser:
        yield await started(browser, scripted)


async def started(browser: Browser, server: ScriptedServer) -> Page:
    page = await browser.new_page()
    await page.goto(f"http://127.0.0.1:{server.port}/")
    await page.evaluate(START, server.ws_url)
    return page


def update(sub_id: str, n: int) -> dict[str, Any]:
    """The n-th order event as `orderEvents` sends it, with cursor cN."""
    return {"id": sub_id, "type": "next", "payload": {"data": {"orderEvents": {
        "cursor": f"c{n}",
        "event": {"id": str(n), "type": "ORDER_CREATED", "status": "CREATED", "message": None,
                  "at": "2026-01-01T00:00:00Z"},
        "order": {"id": f"o{n}", "number": f"WEB-{n}", "status": "CREATED", "channel": {"code": "web"},
                  "total": {"amount": "1.00", "currency": "EUR"}}}}}}


async def subscribed(peer: Peer) -> dict[str, Any]:
    message = await peer.recv()
    assert message["type"] == "subscribe" and "orderEvents(after: $after)" in message["payload"]["query"]
    return message


async def shown(page: Page) -> list[str]:
    return await page.evaluate("feed.events.map((u) => u.event.id)")


async def test_the_feed_resubscribes_after_its_last_cursor_and_shows_each_event_once(scripted, page):
    first = await scripted.connected()
    await first.send({"type": "connection_ack"})
    opening = await subscribed(first)
    assert opening["payload"]["variables"] == {}  # live from now
    await first.send({"type": "ping"})
    assert await first.recv() == {"type": "pong"}
    for n in (1, 2):
        await first.send(update(opening["id"], n))
    await first.send({"id": opening["id"], "type": "error",
                      "payload": [{"message": "too slow", "extensions": {"code": "SUBSCRIBER_TOO_SLOW"}}]})
    again = await subscribed(first)
    assert again["payload"]["variables"] == {"after": "c2"} and again["id"] != opening["id"]
    for n in (2, 3):  # the server replays from c2 on: 2 again must not show twice
        await first.send(update(again["id"], n))
    await eventually(lambda: _equal(shown(page), ["3", "2", "1"]))
    await first.close(1011, "server restarting")

    second = await scripted.connected()
    await second.send({"type": "connection_ack"})
    resumed = await subscribed(second)
    assert resumed["payload"]["variables"] == {"after": "c3"}
    await second.send(update(resumed["id"], 4))
    await eventually(lambda: _equal(shown(page), ["4", "3", "2", "1"]))
    states = await page.evaluate("states")
    assert states[0] == "connecting" and "reconnecting" in states and states[-1] == "live"


async def test_an_expired_cursor_restarts_the_feed_from_now_and_says_so(scripted, page):
    first = await scripted.connected()
    await first.send({"type": "connection_ack"})
    opening = await subscribed(first)
    await first.send(update(opening["id"], 1))
    await first.close(1012, "service restart")
    second = await scripted.connected()
    await second.send({"type": "connection_ack"})
    resumed = await subscribed(second)
    assert resumed["payload"]["variables"] == {"after": "c1"}
    await second.send({"id": resumed["id"], "type": "error",
                       "payload": [{"message": "too old", "extensions": {"code": "CURSOR_EXPIRED"}}]})
    fresh = await subscribed(second)
    assert fresh["payload"]["variables"] == {}
    await second.send(update(fresh["id"], 9))
    await eventually(lambda: _equal(shown(page), ["9", "1"]))
    assert await page.evaluate("[feed.gap, feed.error]") == [True, None]


async def test_a_refused_token_stops_the_client_without_reconnecting(scripted, page):
    first = await scripted.connected()
    await first.close(4403, "Forbidden")
    await eventually(lambda: _equal(page.evaluate("refused"), ["Forbidden"]))
    assert (await page.evaluate("states"))[-1] == "refused"
    await asyncio.sleep(1.5)  # past the first backoffs: nobody calls back
    assert scripted.peers.empty()


async def _equal(value: Any, expected: Any) -> bool:
    return bool(await value == expected)
