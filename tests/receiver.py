"""A real webhook receiver for the tests: uvicorn on a free port in the test's event loop.

It checks every request's signature with the secrets it was given (as a receiver does:
HMAC-SHA256 of "<timestamp>.<raw body>"), keeps what arrived, and answers as told: 200, an
error status, or not at all (`HANG`: it holds the request until `release_hung()`). Told
nothing more, it answers `default`.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.servers import eventually, free_port

HANG = "hang"
"An answer that never comes (until released)."


@dataclass
class Arrival:
    event_id: str
    type: str
    body: dict[str, Any]
    headers: dict[str, str]
    verified: bool
    at: float
    "time.monotonic() on arrival."
    answered: int | None = None
    "The status it was answered with (None: not answered, the request hung)."


@dataclass
class Receiver:
    port: int = 0
    secrets: list[str] = field(default_factory=list)
    default: int | str = 200
    delay: float = 0.0
    "Seconds it takes over each answer."
    in_flight: int = 0
    most_in_flight: int = 0
    arrivals: list[Arrival] = field(default_factory=list)
    _script: deque[int | str] = field(default_factory=deque)
    _released: asyncio.Event = field(default_factory=asyncio.Event)
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen (again) on the receiver's port."""
        app = Starlette(routes=[Route("/hook", self.handle, methods=["POST"])])
        self._server = server = uvicorn.Server(uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"))
        self._task = task = asyncio.create_task(server.serve())
        await eventually(lambda: server.started or task.done(), within=10)
        if task.done():
            task.result()

    async def stop(self) -> None:
        """Stop listening: the receiver is down (connections are refused)."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await asyncio.wait_for(self._task, 15)
            self._server = self._task = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def answer(self, *answers: int | str) -> None:
        """Answer the next requests so, in order (then `default` again)."""
        self._script.extend(answers)

    def release_hung(self) -> None:
        self._released.set()

    def delivered(self) -> list[Arrival]:
        """The arrivals answered 2xx, in order."""
        return [a for a in self.arrivals if a.answered is not None and 200 <= a.answered < 300]

    def delivered_ids(self) -> list[str]:
        return [a.event_id for a in self.delivered()]

    def of_type(self, kind: str) -> list[Arrival]:
        return [a for a in self.delivered() if a.type == kind]

    async def wait_for(self, count: int, within: float = 10.0) -> list[Arrival]:
        """Wait until `count` deliveries were answered 2xx; returns them."""
        await eventually(lambda: len(self.delivered()) >= count, within=within)
        return self.delivered()

    def verify(self, headers: dict[str, str], raw: bytes) -> bool:
        stamp, signed = headers.get("oms-webhook-timestamp", ""), headers.get(
            "oms-webhook-signature", "")
        return any(hmac.compare_digest(signed, "v1=" + hmac.new(
            secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest())
            for secret in self.secrets)

    async def handle(self, request: Request) -> Response:
        raw = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        body = json.loads(raw)
        arrival = Arrival(headers.get("oms-webhook-id", ""), body.get("type", ""), body, headers,
                          self.verify(headers, raw), time.monotonic())
        self.arrivals.append(arrival)
        answer = self._script.popleft() if self._script else self.default
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if answer == HANG:
                await self._released.wait()
                return Response(status_code=200)  # too late: the sender gave up on it
            await asyncio.sleep(self.delay)
            arrival.answered = int(answer)
            return Response(status_code=int(answer))
        finally:
            self.in_flight -= 1


@contextlib.asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver(port=free_port())
    await found.start()
    try:
        yield found
    finally:
        found.release_hung()
        await found.stop()
