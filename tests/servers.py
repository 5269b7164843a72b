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
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from oms.app import create_app
from oms.config import Settings
from oms.events.hub import Hub
from oms.models import OutboxEvent
from oms.runtime import Runtime
from tests.conftest import ROOT, Api


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
    runtime: Runtime | None = None

    @property
    def hub(self) -> Hub:
        assert self.runtime is not None, "only in-process servers expose their hub"
        return self.runtime.hub

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    async def settle(self) -> None:
        """Let earlier changes reach the hub and leave it, so they are not seen by new subscribers."""
        await eventually(lambda: _outbox_empty())
        await asyncio.sleep(0.3)

    async def wait_for_feeds(self, count: int) -> None:
        """Wait until the hub serves `count` subscribers (in-process servers only)."""
        hub = self.hub
        await eventually(lambda: hub.feed_count() == count)


async def _outbox_empty() -> bool:
    return not await OutboxEvent.filter(published_at=None).exists()


@contextlib.asynccontextmanager
async def live_server(settings: Settings, admin_token: str,
                      **uvicorn_options: Any) -> AsyncIterator[LiveServer]:
    app = create_app(settings, manage_db=False)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning",
                            **uvicorn_options)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started or task.done(), within=10)
        if task.done():
            task.result()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield LiveServer(port, Api(client, admin_token), app.state.runtime)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


@contextlib.asynccontextmanager
async def one_sku_shop(settings: Settings, admin_token: str) -> AsyncIterator[LiveServer]:
    """A live server with one warehouse (WH1), one channel (web) and 5 x A in stock."""
    from tests.helpers import channel, node, stock

    async with live_server(settings, admin_token) as running:
        await node(running.api, "WH1")
        await channel(running.api, "web")
        await stock(running.api, ("A", "WH1", 5))
        yield running


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


class PrivateRedis:
    """A redis-server of our own on a free port, so a test may stop and restart it."""

    BINARY = shutil.which("redis-server")

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        assert self.BINARY is not None
        self._process = await asyncio.create_subprocess_exec(
            self.BINARY, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        await eventually(lambda: _accepts(self.port))

    async def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            await asyncio.wait_for(self._process.wait(), 10)
            self._process = None


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.asynccontextmanager
async def spawned_server(settings: Settings, admin_token: str) -> AsyncIterator[LiveServer]:
    """`uvicorn --factory oms.app:create_app` in a process of its own, on `settings`' database,
    Redis and events channel."""
    port = free_port()
    env = {**os.environ, "OMS_DATABASE_URL": settings.database_url,
           "OMS_REDIS_URL": settings.redis_url or "", "OMS_EVENTS_CHANNEL": settings.events_channel}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", "--factory", "oms.app:create_app", "--host", "127.0.0.1",
        "--port", str(port), "--log-level", "warning", env=env, cwd=ROOT,
    )
    try:
        await eventually(lambda: process.returncode is not None or _accepts(port), within=30)
        assert process.returncode is None, "the server process died at start-up"
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield LiveServer(port, Api(client, admin_token))
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), 15)


@dataclass
class ServeProcess(LiveServer):
    """`oms serve` in a process of its own; `kill()` is SIGKILL (no shutdown runs)."""

    process: asyncio.subprocess.Process | None = None
    log: Path | None = None

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), 10)

    def log_tail(self) -> str:
        assert self.log is not None
        return _tail(self.log)


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@contextlib.asynccontextmanager
async def oms_serve(env: dict[str, str], admin_token: str, log_dir: Path,
                    port: int | None = None) -> AsyncIterator[ServeProcess]:
    """The real CLI, `oms serve` (migrate, then uvicorn), with `env` over this process's
    environment, on `port` (default: a free one); its stderr goes to a file in `log_dir`
    (request log lines are dropped)."""
    port = port or free_port()
    log = log_dir / f"oms-serve-{port}.log"
    with log.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "oms.cli", "serve", "--port", str(port),
            env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        await eventually(lambda: process.returncode is not None or _accepts(port), within=30)
        assert process.returncode is None, f"oms serve died at start-up:\n{_tail(log)}"
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield ServeProcess(port, Api(client, admin_token), process=process, log=log)
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), 15)
