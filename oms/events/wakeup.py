"""A pause that a commit can cut short: the background jobs (relay, senders) poll on it."""
from __future__ import annotations

import asyncio
import contextlib


class Wakeup:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def wake(self) -> None:
        """Let the next (or current) `pause` end now."""
        self._event.set()

    async def pause(self, seconds: float) -> None:
        """Wait until woken or `seconds` have passed, whichever comes first."""
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._event.wait()
        self._event.clear()
