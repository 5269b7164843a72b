"""Real servers and real websocket clients for the real-time tests.

`live_server` runs uvicorn on a free port inside the test's event loop (the app's
lifespan starts its own runtime: relay, hub). Tests using it talk to it only over
the network: `LiveServer.api` is GraphQL over HTTP, `subscribe` is gql over
graphql-transport-ws. Do not combine it with the `api` fixture in one test: two
runtimes in one process would race for the same outbox.
"""
from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from oms.app import create_app
from oms.config import Settings
from oms.events.hub import Hub
from oms.models import OutboxEvent
from tests.conftest import Api


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def eventually(check: Callable[[], Awaitable[bool] | bool], within: float = 5.0) -> None:
    """Wait until `check()` holds (polling), or fail."""
    deadline = time.monotonic() + within
    while True:
        outcome = check()
        if not isinstance(outcome, bool):
            outcome = await outcome
        if outcome:
            return
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@dataclass
class LiveServer:
    port: int
    api: Api
    hub: Hub | None = None

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    async def settle(self) -> None:
        """Let earlier changes reach the hub and leave it, so they are not seen by new subscribers."""
        await eventually(lambda: _outbox_empty())
        await asyncio.sleep(0.3)

    async def wait_for_feeds(self, count: int) -> None:
        """Wait until the hub serves `count` subscribers (in-process servers only)."""
        assert self.hub is not None
        hub = self.hub
        await eventually(lambda: hub.feed_count() == count)


async def _outbox_empty() -> bool:
    return not await OutboxEvent.filter(published_at=None).exists()


@contextlib.asynccontextmanager
async def live_server(settings: Settings, admin_token: str) -> AsyncIterator[LiveServer]:
    app = create_app(settings, manage_db=False)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started or task.done(), within=10)
        if task.done():
            task.result()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield LiveServer(port, Api(client, admin_token), app.state.runtime.hub)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


@dataclass
class Subscription:
    """One subscription on a gql session; what arrives is queued for the test to take."""

    received: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    task: asyncio.Task[None] | None = None

    async def next(self, within: float = 5.0) -> dict[str, Any]:
        item = await asyncio.wait_for(self.received.get(), within)
        if isinstance(item, BaseException):
            raise item
        return item

    async def drain(self, quiet_for: float = 0.5) -> list[dict[str, Any]]:
        """Everything that arrives until nothing has come for `quiet_for` seconds."""
        items = []
        while True:
            try:
                items.append(await self.next(quiet_for))
            except TimeoutError:
                return items


class Session:
    """A websocket connection (gql, graphql-transport-ws) carrying any number of subscriptions."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._subscriptions: list[Subscription] = []

    def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> Subscription:
        sub = Subscription()

        async def pump() -> None:
            try:
                request = GraphQLRequest(query, variable_values=variables)
                async for result in self._session.subscribe(request):
                    await sub.received.put(result)
            except Exception as exc:
                await sub.received.put(exc)

        sub.task = asyncio.create_task(pump())
        self._subscriptions.append(sub)
        return sub

    async def close(self) -> None:
        for sub in self._subscriptions:
            if sub.task is not None:
                sub.task.cancel()
                with contextlib.suppress(BaseException):
                    await sub.task


@contextlib.asynccontextmanager
async def ws_session(url: str, token: str) -> AsyncIterator[Session]:
    transport = WebsocketsTransport(
        url=url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        init_payload={"Authorization": f"Bearer {token}"},
    )
    async with Client(transport=transport) as session:
        wrapped = Session(session)
        try:
            yield wrapped
        finally:
            await wrapped.close()
