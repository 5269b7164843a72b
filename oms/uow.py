"""The unit of work: one transaction per mutation, with the events it records.

Events recorded on the unit of work are written to the outbox inside the same
transaction, so a committed change always has its events. After commit, the
relay is woken to publish them. On rollback both the change and its events vanish.
"""
from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from tortoise.models import Model
from tortoise.transactions import in_transaction

from oms.models import OutboxEvent

_after_commit_hooks: list[Callable[[], None]] = []
T = TypeVar("T")
S = TypeVar("S")
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
"Serialization failure and deadlock: the database rolled back, running again is safe."


def on_commit(hook: Callable[[], None]) -> None:
    """Register a cheap synchronous callback run after every commit that wrote events."""
    _after_commit_hooks.append(hook)


def clear_commit_hooks() -> None:
    _after_commit_hooks.clear()


@dataclass
class UnitOfWork:
    actor: str | None = None
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    staged: list[Model] = field(default_factory=list)
    _states: dict[str, tuple[Any, Callable[[Any], Awaitable[None]]]] = field(default_factory=dict)
    _last: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def state(self, key: str, make: Callable[[], S], flush: Callable[[S], Awaitable[None]]) -> S:
        """Per-unit-of-work state of a module below (e.g. the stock changes the availability
        read model applies), made on first use; `flush(state)` runs at commit, before the
        staged rows and the events are written."""
        found = self._states.get(key)
        if found is None:
            found = self._states[key] = (make(), cast(Callable[[Any], Awaitable[None]], flush))
        return cast(S, found[0])

    def last(self, step: Callable[[], Awaitable[None]]) -> None:
        """Run `step` after the flush, as the last statements before commit: for a row that
        every writer locks until commit (a number counter), so it is held for the commit only."""
        self._last.append(step)

    async def finish(self) -> None:
        """The steps registered with `last`, in order (`unit_of_work` runs them after `flush`)."""
        for step in self._last:
            await step()
        self._last.clear()

    def record(self, topic: str, payload: dict[str, Any]) -> None:
        self.events.append((topic, payload))

    def stage(self, row: Model) -> None:
        """Insert `row` with the commit (append-only rows nobody reads back in the same work,
        e.g. ledger entries): one bulk insert per model instead of one per row."""
        self.staged.append(row)

    async def flush(self) -> None:
        for state, flush in self._states.values():
            await flush(state)
        self._states.clear()
        by_model: dict[type[Model], list[Model]] = {}
        for row in self.staged:
            by_model.setdefault(type(row), []).append(row)
        for model, rows in by_model.items():
            await model.bulk_create(rows, batch_size=500)
        self.staged.clear()
        if self.events:
            await OutboxEvent.bulk_create(
                [OutboxEvent(topic=topic, payload=payload) for topic, payload in self.events]
            )


@asynccontextmanager
async def unit_of_work(actor: str | None = None) -> AsyncIterator[UnitOfWork]:
    """Open the one transaction of a mutation. `oms` functions below it never open their own."""
    uow = UnitOfWork(actor=actor)
    async with in_transaction():
        yield uow
        await uow.flush()
        await uow.finish()
    if uow.events:
        for hook in list(_after_commit_hooks):
            hook()


def is_retryable(exc: BaseException | None) -> bool:
    """Whether `exc` (or what caused it) is a deadlock or serialization failure."""
    while exc is not None:
        if getattr(exc, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return True
        exc = exc.__cause__
    return False


async def run_in_unit_of_work(actor: str | None, work: Callable[[UnitOfWork], Awaitable[T]],
                              attempts: int = 4) -> T:
    """Run `work` in one unit of work; when PostgreSQL picks it as a deadlock victim (or a
    serialization failure), everything was rolled back, so it runs again from the start."""
    for attempt in range(1, attempts + 1):
        try:
            async with unit_of_work(actor) as uow:
                return await work(uow)
        except Exception as exc:
            if attempt == attempts or not is_retryable(exc):
                raise
            await asyncio.sleep(random.uniform(0, 0.01 * attempt))
    raise AssertionError("unreachable")
