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
from typing import TYPE_CHECKING, Any, TypeVar, cast

from tortoise import connections, timezone
from tortoise.models import Model
from tortoise.transactions import in_transaction

from oms.clock import now
from oms.db import is_postgres, placeholders
from oms.models import OutboxEvent

if TYPE_CHECKING:
    from oms.payments.provider import PaymentProvider

T = TypeVar("T")
S = TypeVar("S")
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
"Serialization failure and deadlock: the database rolled back, running again is safe."
OUTBOX_COLUMNS = ("topic", "payload", "created_at")
COPY_FROM = 100
"Rows from which one COPY beats one multi-row INSERT on PostgreSQL (COPY costs a look-up)."
RowsKey = tuple[str, tuple[str, ...], str | None]
"Staged plain rows: (table, columns, column stamped with the flush time)."


@dataclass
class UnitOfWork:
    actor: str | None = None
    "The payment provider money moves through (the runtime's; the built-in ledger one when none)."
    payments: PaymentProvider = field(default_factory=lambda: _ledger())
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    staged: list[Model] = field(default_factory=list)
    rows: dict[RowsKey, list[tuple[Any, ...]]] = field(default_factory=dict)
    _events_written: int = 0
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

    def stage_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
                   stamp: str | None = None) -> None:
        """Insert plain `rows` of `columns` into `table` with the commit, like `stage` but
        without models (thousands of ledger rows per sync); `stamp`: a column set to the
        time of the insert, as `auto_now_add` would."""
        self.rows.setdefault((table, columns, stamp), []).extend(rows)

    async def flush(self) -> None:
        """At commit: the staged rows and the outbox, then the states' flushes (the read
        model's rows, which every order of a hot SKU updates, stay locked the least), then
        the events those flushes recorded (stock alerts), if any."""
        await self.write_staged()
        for state, flush in self._states.values():
            await flush(state)
        self._states.clear()
        await self._write_events()

    async def write_staged(self) -> None:
        """Insert the staged rows, then the outbox rows of the events recorded so far: at
        commit, and between the chunks of a long unit of work (bounded memory)."""
        by_model: dict[type[Model], list[Model]] = {}
        for row in self.staged:
            by_model.setdefault(type(row), []).append(row)
        for model, models in by_model.items():
            await model.bulk_create(models, batch_size=500)
        self.staged.clear()
        await self._insert_rows()
        await self._write_events()

    async def _insert_rows(self) -> None:
        at = now()  # the domain's clock, as the rows' orders and holds are stamped with
        conn = connections.get("default")
        for (table, columns, stamp), rows in self.rows.items():
            if stamp:
                await insert_rows(conn, table, (*columns, stamp), [(*r, at) for r in rows])
            else:
                await insert_rows(conn, table, columns, rows)
        self.rows.clear()

    async def _write_events(self) -> None:
        new = self.events[self._events_written:]
        if not new:
            return
        at = timezone.now()
        encode = OutboxEvent._meta.fields_map["payload"].to_db_value
        await insert_rows(connections.get("default"), "outbox_event", OUTBOX_COLUMNS,
                          [(topic, encode(payload, OutboxEvent), at) for topic, payload in new])
        self._events_written = len(self.events)


async def insert_rows(conn: Any, table: str, columns: tuple[str, ...],
                      rows: list[tuple[Any, ...]]) -> None:
    """Insert plain rows in `conn`'s transaction: COPY when many on PostgreSQL, else one
    multi-row INSERT (PostgreSQL) or one executemany (SQLite)."""
    if not rows:
        return
    if not is_postgres(conn):
        marks = ", ".join(placeholders(conn, len(columns)))
        await conn.execute_many(f'INSERT INTO "{table}" ({_names(columns)}) VALUES ({marks})',
                                [list(r) for r in rows])
        return
    async with conn.acquire_connection() as raw:
        if len(rows) >= COPY_FROM:
            await raw.copy_records_to_table(table, records=rows, columns=list(columns))
            return
        width = len(columns)
        values = ", ".join(
            f"({', '.join(placeholders(conn, width, start=1 + i * width))})"
            for i in range(len(rows)))
        await raw.execute(f'INSERT INTO "{table}" ({_names(columns)}) VALUES {values}',
                          *[v for r in rows for v in r])


def _names(columns: tuple[str, ...]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


AfterCommit = Callable[[], None]
"A cheap synchronous callback run after a commit that wrote events (the runtime's: wake its relay)."


def _ledger() -> PaymentProvider:
    # Imported here: oms.payments itself works on units of work.
    from oms.payments.provider import LedgerPaymentProvider

    return LedgerPaymentProvider()


@asynccontextmanager
async def unit_of_work(actor: str | None = None, after_commit: AfterCommit | None = None,
                       payments: PaymentProvider | None = None) -> AsyncIterator[UnitOfWork]:
    """Open the one transaction of a mutation. `oms` functions below it never open their own."""
    uow = UnitOfWork(actor=actor) if payments is None else UnitOfWork(actor=actor,
                                                                      payments=payments)
    async with in_transaction():
        yield uow
        await uow.flush()
        await uow.finish()
    if uow.events and after_commit is not None:
        after_commit()


def is_retryable(exc: BaseException | None) -> bool:
    """Whether `exc` (or what caused it) is a deadlock or serialization failure."""
    while exc is not None:
        if getattr(exc, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return True
        exc = exc.__cause__
    return False


async def run_in_unit_of_work(actor: str | None, work: Callable[[UnitOfWork], Awaitable[T]],
                              after_commit: AfterCommit | None = None,
                              payments: PaymentProvider | None = None, attempts: int = 4) -> T:
    """Run `work` in one unit of work; when PostgreSQL picks it as a deadlock victim (or a
    serialization failure), everything was rolled back, so it runs again from the start."""
    for attempt in range(1, attempts + 1):
        try:
            async with unit_of_work(actor, after_commit, payments) as uow:
                return await work(uow)
        except Exception as exc:
            if attempt == attempts or not is_retryable(exc):
                raise
            await asyncio.sleep(random.uniform(0, 0.01 * attempt))
    raise AssertionError("unreachable")
