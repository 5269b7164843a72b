"""The sender loop: renders queued notifications and hands them to the notifier.

Every server process runs one. A process claims a due notification with a conditional
UPDATE of its `claimed_until` (it wins only if nobody holds an unexpired claim: on
PostgreSQL a concurrent claimer re-reads the row after the winner's update and finds it
held; SQLite runs one writer at a time), so processes never send the same one at once;
a claim left by a process that died expires after `CLAIM_SECONDS` and another takes it.
A failure is retried after `retry_seconds * 2**(attempt - 1)`, jittered down to half of
that at random, until `max_attempts`; then the notification is FAILED. Its status moves
along one table (`NOTIFICATION`), like every workflow's.
"""
from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from tortoise.expressions import Q

from oms import db
from oms.clock import now
from oms.enums import NotificationStatus
from oms.events.wakeup import Wakeup
from oms.models import Notification
from oms.notifications.compose import rendered
from oms.notifications.notifier import Message, Notifier
from oms.workflow import Workflow

log = logging.getLogger(__name__)
CLAIM_SECONDS = 60.0
"How long a claim holds: longer than a send may take (the SMTP timeout is 10 s)."
ERROR_MAX = 1000


@dataclass(frozen=True)
class Retry:
    max_attempts: int = 8
    retry_seconds: float = 30.0

    def delay(self, attempt: int) -> float:
        """Seconds before the next try after failed try number `attempt` (1-based)."""
        full = self.retry_seconds * 2 ** (attempt - 1)
        return random.uniform(full / 2, full)


class NotificationSender:
    def __init__(self, notifier: Notifier, retry: Retry, poll_seconds: float = 5.0,
                 batch: int = 50) -> None:
        self.notifier = notifier
        self.retry = retry
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._wakeup = Wakeup()

    def wake(self) -> None:
        """Called after a commit that may have queued notifications: look now."""
        self._wakeup.wake()

    async def run(self) -> None:
        """Send what is due, forever (the runtime cancels it on shutdown)."""
        while True:
            await self._wakeup.pause(self.poll_seconds)
            try:
                await self.drain()
            except Exception as exc:
                if not db.unreachable(exc):
                    log.exception("notification sender failed")
                else:
                    log.warning("notification sender: database unavailable (%s)", type(exc).__name__)

    async def drain(self) -> int:
        """Try every due notification once; returns how many were tried."""
        tried = 0
        while True:
            claimed = await self.claim()
            for notification_id in claimed:
                await asyncio.shield(self.deliver(notification_id))
            tried += len(claimed)
            if len(claimed) < self.batch:
                return tried

    async def claim(self) -> list[int]:
        """Ids of due notifications this process now holds (others skip them)."""
        at = now()
        free = Q(claimed_until=None) | Q(claimed_until__lt=at)
        due = await (Notification.filter(free, status=NotificationStatus.QUEUED,
                                         next_attempt_at__lte=at)
                     .order_by("id").limit(self.batch).values_list("id", flat=True))
        mine: list[int] = []
        for notification_id in cast(list[int], due):
            taken = await Notification.filter(free, id=notification_id,
                                              status=NotificationStatus.QUEUED).update(
                claimed_until=at + timedelta(seconds=CLAIM_SECONDS))
            if taken:
                mine.append(notification_id)
        return mine

    async def deliver(self, notification_id: int) -> None:
        """Render (the first time) and send one claimed notification; store the outcome."""
        row = await Notification.get(id=notification_id)
        try:
            if row.subject is None:
                content = await rendered(row)
                row.subject, row.body_text, row.body_html = content.subject, content.text, content.html
            status = await self.notifier.send(Message(
                row.kind, row.recipient, row.language, row.subject or "", row.body_text or "",
                row.body_html or ""))
        except Exception as exc:
            await self._failed(row, exc)
            return
        await self._done(row, status)

    async def _done(self, row: Notification, status: NotificationStatus) -> None:
        row.medium, row.attempts, row.claimed_until, row.last_error = (
            self.notifier.medium, row.attempts + 1, None, None)
        row.sent_at = now() if status is NotificationStatus.SENT else None
        await _settle(row, status, "medium", "sent_at")

    async def _failed(self, row: Notification, exc: Exception) -> None:
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
        row.claimed_until = None
        last = row.attempts >= self.retry.max_attempts
        log.warning("notification %s (%s to %s) failed, attempt %d%s: %s", row.id, row.kind,
                    row.recipient, row.attempts, ", giving up" if last else "", row.last_error)
        if last:
            await _settle(row, NotificationStatus.FAILED)
            return
        row.next_attempt_at = now() + timedelta(seconds=self.retry.delay(row.attempts))
        await Notification.filter(id=row.id).update(
            **{name: getattr(row, name) for name in (*KEPT, "next_attempt_at")})


NOTIFICATION = Workflow("notification", NotificationStatus.QUEUED, {
    NotificationStatus.QUEUED: frozenset({NotificationStatus.SENT, NotificationStatus.RECORDED,
                                          NotificationStatus.FAILED}),
    NotificationStatus.SENT: frozenset(),
    NotificationStatus.RECORDED: frozenset(),
    NotificationStatus.FAILED: frozenset(),
})
"A notification waits (QUEUED, retried in place) until it is handed over, recorded or given up."
KEPT = ("subject", "body_text", "body_html", "attempts", "claimed_until", "last_error")
"What each try stores: the rendering, and how the try went."


async def _settle(row: Notification, status: NotificationStatus, *fields: str) -> None:
    """Move `row` to its final `status` along the table, storing what the try left."""
    previous = NOTIFICATION.move(row, status)
    await NOTIFICATION.persist(row, previous, *KEPT, *fields)
