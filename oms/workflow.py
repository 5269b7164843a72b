"""One transition table per workflow, and the one function that moves a row along it.

A `Workflow` holds the table (state -> states it may go to). `move(row, target)`
is the only writer of the row's status column: it refuses an illegal move with
INVALID_TRANSITION naming the current state, and changes nothing. `check_reachable`
proves at import time (and in tests) that every state can be reached from the start.
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Generic, TypeVar, cast

from oms.clock import now
from oms.errors import DomainError, ErrorCode

S = TypeVar("S", bound=StrEnum)


class Workflow(Generic[S]):
    """A named state machine over the enum `S`, starting at `initial`."""

    def __init__(self, name: str, initial: S, table: Mapping[S, frozenset[S]],
                 column: str = "status") -> None:
        self.name = name
        self.initial = initial
        self.table = dict(table)
        self.column = column
        self.check_reachable()

    def allows(self, current: S, target: S) -> bool:
        """Whether `current -> target` is in the table."""
        return target in self.table.get(current, frozenset())

    def require(self, current: S, target: S, *field: str) -> None:
        """Refuse `current -> target` with INVALID_TRANSITION unless the table allows it."""
        if not self.allows(current, target):
            raise DomainError.of(
                ErrorCode.INVALID_TRANSITION,
                f"{self.name} is {current}: it cannot become {target}", *field,
            )

    def move(self, row: Any, target: S, *field: str) -> S:
        """Set `row.<column>` to `target` if the table allows it; returns the previous state."""
        current = getattr(row, self.column)
        self.require(current, target, *field)
        setattr(row, self.column, target)
        return cast(S, current)

    async def persist(self, row: Any, previous: S, *fields: str) -> None:
        """Save a move made by `move` only if the stored state is still `previous`.

        A compare-and-set: when a concurrent change moved the row first, nothing is
        written and the move is refused with INVALID_TRANSITION.
        """
        values = {name: getattr(row, name) for name in (self.column, *fields)}
        if hasattr(row, "updated_at"):
            values["updated_at"] = row.updated_at = now()
        updated = await type(row).filter(pk=row.pk, **{self.column: previous}).update(**values)
        if not updated:
            raise DomainError.of(ErrorCode.INVALID_TRANSITION,
                                 f"{self.name} is no longer {previous}: it changed meanwhile")

    async def move_stored(self, model: Any, pk: Any, previous: S, target: S) -> bool:
        """Move the stored row `pk` of `model` from `previous` to `target` without loading it
        (a compare-and-set): False when it is no longer `previous`."""
        self.require(previous, target)
        return bool(await model.filter(pk=pk, **{self.column: previous})
                    .update(**{self.column: target}))

    async def move_where(self, model: Any, previous: S, target: S, where: Mapping[str, Any],
                         **values: Any) -> int:
        """Move every stored row of `model` matching `where` that is still `previous` to
        `target`, setting `values` too, without loading them (a compare-and-set); how many."""
        self.require(previous, target)
        return int(await model.filter(**where, **{self.column: previous})
                   .update(**{self.column: target}, **values))

    def reachable(self) -> set[S]:
        """Every state reachable from the initial one."""
        seen = {self.initial}
        frontier = [self.initial]
        while frontier:
            for nxt in self.table.get(frontier.pop(), frozenset()):
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        return seen

    def check_reachable(self) -> None:
        """Fail loudly when a state of the enum cannot be reached from the initial state."""
        states = set(type(self.initial))
        unknown = {s for targets in self.table.values() for s in targets} - states
        missing = states - self.reachable()
        if unknown or missing:
            raise RuntimeError(
                f"{self.name} workflow: unreachable {sorted(missing)}, unknown {sorted(unknown)}"
            )

    def terminal(self) -> set[S]:
        """States with no way out."""
        return {s for s in type(self.initial) if not self.table.get(s)}
