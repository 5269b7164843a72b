"""A real SMTP server (aiosmtpd) on a free local port that keeps what it receives, and an
app served with notification settings of a test's choosing."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

import httpx
from aiosmtpd.smtp import SMTP, Envelope, Session

from oms.config import Settings
from oms.enums import NotificationStatus
from oms.notifications.notifier import Message
from tests.conftest import Api
from tests.servers import free_port

FAST = {"notify_poll_seconds": 0.05, "notify_retry_seconds": 0.05, "notify_max_attempts": 3}
"Sender settings that make a test quick: poll often, retry after tens of milliseconds."


class SmtpSink:
    """Receives mail at 127.0.0.1:`port`; `stop()` and `start()` again on the same port make
    a server that is down for a while."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = cast(bytes, envelope.content)
        self.messages.append(cast(EmailMessage, message_from_bytes(content, policy=policy.default)))
        return "250 Message accepted for delivery"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: SMTP(self, hostname="sink.test"),
                                                "127.0.0.1", self.port, reuse_address=True)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def to(self, recipient: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == recipient]


class Pigeon:
    """A notifier of another medium, plugged in through OMS_NOTIFIER."""

    medium = "PIGEON"
    sent: list[Message] = []

    async def send(self, message: Message) -> NotificationStatus:
        self.sent.append(message)
        return NotificationStatus.SENT


def pigeon(settings: Settings) -> Pigeon:
    return Pigeon()


def parts(message: EmailMessage) -> tuple[str, str]:
    """The text and HTML parts of a received mail."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None, message
    return cast(EmailMessage, text).get_content(), cast(EmailMessage, html).get_content()


@asynccontextmanager
async def served(database: Settings, token: str, **settings: Any) -> AsyncIterator[Api]:
    """The app with these settings changed, its background jobs running, and a client."""
    from oms.app import create_app

    app = create_app(replace(database, **settings), manage_db=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as client:
            yield Api(client, token)
