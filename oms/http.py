"""The HTTP edge of every request: a body size cap, a request id, one JSON log line, and
its count in the metrics.

`RequestEdge` is plain ASGI, outermost in the app. A body over the cap is refused
with 413 before anything reads it. Each request gets an id (the client's
`X-Request-Id` when it sends a sane one), echoed in the response header and
written on the log line; the GraphQL layer adds what it learnt (operation, token
id, outcome) to `scope["oms.log"]` while it serves the request. A request with an
outcome (a GraphQL one) is counted in `oms.telemetry`.
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from oms import telemetry

log = logging.getLogger("oms.requests")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
LOG_KEY = "oms.log"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class PayloadTooLarge(Exception):
    pass


class RequestEdge:
    def __init__(self, app: App, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        entry: dict[str, Any] = {"requestId": request_id, "method": scope["method"],
                                 "path": scope["path"]}
        scope[LOG_KEY] = entry

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
                message["headers"] = [*message.get("headers", []),
                                      (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self._serve(scope, receive, send_with_id, entry)
        finally:
            seconds = time.perf_counter() - started
            entry["ms"] = round(seconds * 1000, 2)
            log.info(json.dumps(entry, separators=(",", ":"), default=str))
            telemetry.observe_request(entry, seconds)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, entry: dict[str, Any]) -> None:
        try:
            body = await self._body(scope, receive)
        except PayloadTooLarge:
            entry["outcome"] = "refused"
            await _too_large(send, self.max_body_bytes)
            return
        try:
            await self.app(scope, _replay(body, receive), send)
        except Exception:
            entry.setdefault("outcome", "fault")
            raise

    async def _body(self, scope: Scope, receive: Receive) -> bytes:
        """The whole request body, refused as soon as it passes the cap."""
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            raise PayloadTooLarge
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise PayloadTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _request_id(scope: Scope) -> str:
    given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"errors": [{
        "message": f"request body over {limit} bytes",
        "extensions": {"code": "PAYLOAD_TOO_LARGE", "allowed": limit},
    }]}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
