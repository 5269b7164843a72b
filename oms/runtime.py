"""What one server process runs besides requests: the database, the broker, the relay, sweepers."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from oms import db
from oms.config import Settings
from oms.events.broker import Broker, broker_for
from oms.events.hub import Hub
from oms.events.relay import OutboxRelay
from oms.notifications.notifier import Notifier, notifier_for
from oms.notifications.sender import NotificationSender, Retry
from oms.payments.provider import LedgerPaymentProvider, PaymentProvider
from oms.ratelimit import RateLimiter
from oms.webhooks.sender import WebhookSender

log = logging.getLogger(__name__)
Job = Callable[["Runtime"], Awaitable[None]]
STOP_TIMEOUT_SECONDS = 5.0


@dataclass
class Runtime:
    """One server process's broker, relay, webhook sender and hub, and the background jobs it was given
    (the app factory lists them: `oms.app.background_jobs`)."""

    settings: Settings
    jobs: list[tuple[str, Job]] = field(default_factory=list)
    "The payment provider every unit of work of this process moves money through."
    payments: PaymentProvider = field(default_factory=LedgerPaymentProvider)
    "How customer notifications are sent (None: the one `OMS_NOTIFIER` names, by default email)."
    notifier: Notifier | None = None
    broker: Broker = field(init=False)
    relay: OutboxRelay = field(init=False)
    hub: Hub = field(init=False)
    rate_limits: RateLimiter = field(init=False)
    webhooks: WebhookSender = field(init=False)
    notifications: NotificationSender = field(init=False)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.broker = broker_for(self.settings.redis_url, self.settings.events_channel)
        self.webhooks = WebhookSender(self.settings, self.after_commit)
        self.relay = OutboxRelay(self.broker, poll_seconds=self.settings.relay_poll_seconds,
                                 fan_out=self.webhooks)
        self.hub = Hub(self.broker)
        self.rate_limits = RateLimiter(self.settings.redis_url, f"{self.settings.events_channel}:limits")
        if self.notifier is None:
            self.notifier = notifier_for(self.settings)
        self.notifications = NotificationSender(
            self.notifier, Retry(self.settings.notify_max_attempts, self.settings.notify_retry_seconds),
            poll_seconds=self.settings.notify_poll_seconds)

    def after_commit(self) -> None:
        """What a unit of work that wrote events calls once committed: publish them now (and
        send the notifications it may have queued)."""
        self.relay.wake()
        self.notifications.wake()

    async def start(self, *, init_db: bool = True) -> None:
        if init_db:
            await db.init_db(self.settings)
        for name, job in self.jobs:
            self.spawn(name, job(self))

    def spawn(self, name: str, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        task.add_done_callback(_log_crash)
        self.tasks.append(task)

    async def stop(self, *, close_db: bool = True) -> None:
        await _cancel_all(self.tasks)
        self.tasks.clear()
        await self.broker.close()
        await self.rate_limits.close()
        if close_db:
            await db.close_db()


async def _cancel_all(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel until done: a library that swallows one CancelledError (seen in a pool release
    during shutdown) must not leave a task running on after its runtime stopped."""
    pending = set(tasks)
    deadline = asyncio.get_running_loop().time() + STOP_TIMEOUT_SECONDS
    while pending and asyncio.get_running_loop().time() < deadline:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=0.2)
    for task in pending:
        log.warning("background task %s did not stop in time", task.get_name())


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background task %s died", task.get_name(), exc_info=task.exception())
