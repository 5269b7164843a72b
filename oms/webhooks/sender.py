"""The webhook sender every server process runs beside its outbox relay.

It claims due deliveries (`oms.webhooks.claims`: the oldest open one of each active
endpoint, so one in flight per endpoint and an endpoint's events in order: the next is not
sent before the earlier one was delivered or failed for good), at most
`webhook_max_in_flight` at once, POSTs each with `httpx` within the timeout, and records
what came of it (`oms.webhooks.outcomes`). It is woken when the relay made deliveries and
when an attempt ends, and looks for due retries every `webhook_poll_seconds`.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any

import httpx

from oms.config import Settings
from oms.events.wakeup import Wakeup
from oms.models import OutboxEvent, WebhookDelivery
from oms.uow import unit_of_work
from oms.webhooks import claims, outcomes, signing
from oms.webhooks.destinations import private_destination
from oms.webhooks.fanout import fan_out
from oms.webhooks.outcomes import Attempt, Policy

log = logging.getLogger(__name__)
CLAIM_MARGIN_SECONDS = 5.0
STOP_SECONDS = 3.0


class WebhookSender:
    def __init__(self, settings: Settings, after_commit: Callable[[], None] | None = None) -> None:
        self.settings = settings
        self.after_commit = after_commit
        self.timeout = settings.webhook_timeout_seconds
        "A claim outlasts an attempt (DNS check and POST, each within the timeout) and its record."
        self.hold = timedelta(seconds=2 * self.timeout + CLAIM_MARGIN_SECONDS)
        self.policy = Policy(settings.webhook_retry_base_seconds, settings.webhook_max_attempts,
                             settings.webhook_max_failures)
        self._wakeup = Wakeup()
        self._sending: set[asyncio.Task[None]] = set()
        self._recording: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        self._wakeup.wake()

    async def fan_out(self, rows: Sequence[OutboxEvent]) -> int:
        """The relay's hook, in its transaction (`oms.webhooks.fanout`)."""
        return await fan_out(rows)

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=self.settings.webhook_max_in_flight)
        async with httpx.AsyncClient(timeout=httpx.Timeout(self.timeout), limits=limits,
                                     follow_redirects=False) as client:
            try:
                await self._loop(client)
            finally:
                await self._stop()

    async def _loop(self, client: httpx.AsyncClient) -> None:
        pause = self.settings.webhook_poll_seconds
        while True:
            await self._wakeup.pause(pause)
            try:
                await self._start_due(client)
                pause = self.settings.webhook_poll_seconds
            except Exception as exc:  # the database may be away: try again later
                log.warning("webhook sender could not claim deliveries (%s: %s)",
                            type(exc).__name__, exc)
                pause = min(5.0, pause * 2)

    async def _start_due(self, client: httpx.AsyncClient) -> None:
        free = self.settings.webhook_max_in_flight - len(self._sending)
        claim, due = await claims.claim_due(free, self.hold)
        for delivery in due:
            task = asyncio.ensure_future(self._deliver(client, claim, delivery))
            self._sending.add(task)
            task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook delivery failed unexpectedly", exc_info=task.exception())
        self.wake()  # a slot is free, and the endpoint's next delivery may be due

    async def _deliver(self, client: httpx.AsyncClient, claim: str,
                       delivery: WebhookDelivery) -> None:
        try:
            attempt = await self.attempt(client, delivery)
        except asyncio.CancelledError:  # stopping: the delivery is due again at once
            self._finish(claims.release(claim, [delivery.id]))
            raise
        await asyncio.shield(self._finish(self._record(claim, delivery, attempt)))

    def _finish(self, step: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run `step` to its end even if the sender stops meanwhile (`_stop` waits for it)."""
        task = asyncio.ensure_future(step)
        self._recording.add(task)
        task.add_done_callback(self._recording.discard)
        return task

    async def _record(self, claim: str, delivery: WebhookDelivery, attempt: Attempt) -> None:
        async with unit_of_work(outcomes.ACTOR, self.after_commit) as uow:
            await outcomes.record(uow, delivery, claim, attempt, self.policy)

    async def attempt(self, client: httpx.AsyncClient, delivery: WebhookDelivery) -> Attempt:
        """One signed POST of the delivery's body; never raises for the receiver's faults."""
        endpoint = delivery.endpoint
        try:
            async with asyncio.timeout(self.timeout):
                if not self.settings.webhook_allow_private:
                    address = await private_destination(endpoint.url)
                    if address:
                        return Attempt(None, f"{address} is a private destination")
            async with asyncio.timeout(self.timeout):
                return await self._post(client, endpoint.url, endpoint.secret, delivery)
        except TimeoutError:
            return Attempt(None, f"no answer within {self.timeout:g} s")
        except httpx.HTTPError as exc:
            return Attempt(None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)

    async def _post(self, client: httpx.AsyncClient, url: str, secret: str,
                    delivery: WebhookDelivery) -> Attempt:
        body = delivery.body
        headers = signing.headers(secret, delivery.event_id, int(time.time()), body)
        # Streamed and closed unread: a receiver's answer body is not ours to hold.
        async with client.stream("POST", url, content=body.encode(), headers=headers) as answer:
            status = answer.status_code
        return Attempt(status, None if 200 <= status < 300 else f"answered HTTP {status}")

    async def _stop(self) -> None:
        """Cancel attempts in flight (their claims are released) and let records finish.
        The runtime cancels its jobs again and again while they stop: waiting goes on."""
        for task in self._sending:
            task.cancel()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_SECONDS
        while (self._sending or self._recording) and loop.time() < deadline:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait(self._sending | self._recording,
                                   timeout=deadline - loop.time())
