"""Every write to stock goes through here: snapshots, deltas, holds, shipments, returns.

Rows are locked in one fixed order (sku, node) so concurrent writers never deadlock,
holds use a conditional update so stock is never promised twice, and every change
leaves a ledger entry (who, why, delta, resulting level).
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from tortoise import connections

from oms import inventory_bulk as bulk
from oms import locks, stock_alerts
from oms.availability import read_model
from oms.availability.rules import ChannelRules, node_available
from oms.db import placeholders
from oms.enums import StockBucket, StockReason
from oms.errors import DomainError, ErrorCode, Problems
from oms.events.topics import STOCK_CHANGED, stock_changed
from oms.inventory_bulk import Key, Level
from oms.locks import in_stock_order
from oms.models import InventoryPosition, Node, Sku, StockLedgerEntry
from oms.text import check_length, fits, fitting
from oms.uow import UnitOfWork

MAX_LEVEL = 2**31 - 1
"The most units one stock level holds (32-bit columns)."


@dataclass(frozen=True)
class InventoryRecord:
    sku: str
    node_code: str
    on_hand: int
    safety_stock: int | None = None
    inbound: int | None = None
    "Units on the way (absolute, like on_hand); None keeps what the position had."


@dataclass(frozen=True)
class Adjustment:
    sku: str
    node_code: str
    delta: int
    reason: str | None = None


async def _node_ids(codes: Iterable[str]) -> dict[str, int]:
    rows = await Node.filter(code__in=fitting(codes, Node, "code")).values_list("code", "id")
    return {str(code): int(node_id) for code, node_id in rows}


def sync_problems(records: Sequence[InventoryRecord], node_codes: Collection[str]) -> Problems:
    """What is wrong with a snapshot, every problem at once (pure: no database)."""
    problems = Problems()
    seen: set[tuple[str, str]] = set()
    for i, rec in enumerate(records):
        if not rec.sku.strip():
            problems.add(ErrorCode.UNKNOWN_SKU, "sku must not be empty", "records", i, "sku")
        check_length(problems, rec.sku, Sku, "code", "records", i, "sku")
        if rec.node_code not in node_codes:
            problems.add(ErrorCode.UNKNOWN_NODE, f"unknown node {rec.node_code!r}",
                         "records", i, "nodeCode")
        if rec.on_hand < 0:
            problems.add(ErrorCode.NEGATIVE_QUANTITY, "onHand must be >= 0",
                         "records", i, "onHand")
        if rec.safety_stock is not None and rec.safety_stock < 0:
            problems.add(ErrorCode.NEGATIVE_QUANTITY, "safetyStock must be >= 0",
                         "records", i, "safetyStock")
        if rec.inbound is not None and rec.inbound < 0:
            problems.add(ErrorCode.NEGATIVE_QUANTITY, "inbound must be >= 0",
                         "records", i, "inbound")
        key = (rec.sku, rec.node_code)
        if key in seen:
            problems.add(ErrorCode.DUPLICATE_RECORD,
                         f"{rec.sku} at {rec.node_code} appears twice in one sync", "records", i)
        seen.add(key)
    return problems


async def sync_inventory(uow: UnitOfWork, records: Sequence[InventoryRecord],
                         note: str | None = None, lock_skus: Collection[str] = ()) -> list[Level]:
    """Set absolute on-hand levels (a WMS/ERP snapshot). All records or none.

    `lock_skus`: every position of these SKUs is locked too, in the same (sku, node) order
    (what releasing the backorders waiting on them will hold)."""
    nodes = await _node_ids(r.node_code for r in records)
    sync_problems(records, nodes).raise_if_any()
    conn = connections.get("default")
    await bulk.ensure_skus(conn, (r.sku for r in records))
    wanted = {(r.sku, nodes[r.node_code]): r for r in records}
    levels = await locks.lock_positions(conn, wanted, lock_skus)
    written: list[Level] = []
    ledger: list[tuple[Any, ...]] = []
    for key, rec in wanted.items():
        old = levels[key]
        new = old._replace(
            on_hand=rec.on_hand,
            safety_stock=old.safety_stock if rec.safety_stock is None else rec.safety_stock,
            inbound=old.inbound if rec.inbound is None else rec.inbound)
        _moved(uow, old.sku, old.node_id, _available(old), _available(new), old.reorder_point)
        if new.on_hand != old.on_hand:
            ledger.append(_ledger_row(uow, old.sku, old.node_id, StockBucket.ON_HAND,
                                      new.on_hand - old.on_hand, new.on_hand, StockReason.SYNC, note=note))
        written.append(new)
    await bulk.write_levels(conn, written)
    _stage_ledger(uow, ledger)
    uow.record(STOCK_CHANGED, stock_changed(r.sku for r in records))
    return written


async def adjust_inventory(uow: UnitOfWork, adjustments: Sequence[Adjustment],
                           lock_skus: Collection[str] = ()) -> list[Level]:
    """Apply signed on-hand changes. All or none; on-hand never drops below reserved.

    `lock_skus`: as for `sync_inventory`."""
    nodes = await _node_ids(a.node_code for a in adjustments)
    known = set(cast(list[str], await Sku.filter(code__in=fitting((a.sku for a in adjustments), Sku, "code"))
                     .values_list("code", flat=True)))
    problems = Problems()
    for i, adj in enumerate(adjustments):
        if adj.node_code not in nodes:
            problems.add(ErrorCode.UNKNOWN_NODE, f"unknown node {adj.node_code!r}",
                         "adjustments", i, "nodeCode")
        if adj.sku not in known:
            problems.add(ErrorCode.UNKNOWN_SKU, f"unknown SKU {adj.sku!r}",
                         "adjustments", i, "sku")
        check_length(problems, adj.reason, StockLedgerEntry, "note", "adjustments", i, "reason")
    problems.raise_if_any()
    conn = connections.get("default")
    levels = await locks.lock_positions(conn, {(a.sku, nodes[a.node_code]) for a in adjustments},
                                       lock_skus)
    on_hand = {key: level.on_hand for key, level in levels.items()}
    ledger: list[tuple[Any, ...]] = []
    for i, adj in enumerate(adjustments):
        key = (adj.sku, nodes[adj.node_code])
        level, reserved = on_hand[key] + adj.delta, levels[key].reserved
        if level > MAX_LEVEL:
            problems.add(ErrorCode.INVALID_QUANTITY,
                         f"{adj.sku} at {adj.node_code}: on-hand {on_hand[key]} {adj.delta:+d} would "
                         f"pass {MAX_LEVEL}", "adjustments", i, "delta")
            continue
        if level < reserved:
            problems.add(
                ErrorCode.BELOW_RESERVED,
                f"{adj.sku} at {adj.node_code}: on-hand {on_hand[key]} {adj.delta:+d} would fall "
                f"below the {reserved} reserved", "adjustments", i, "delta",
            )
            continue
        on_hand[key] = level
        ledger.append(_ledger_row(uow, adj.sku, key[1], StockBucket.ON_HAND, adj.delta, level,
                                  StockReason.ADJUST, note=adj.reason))
    problems.raise_if_any()
    written = [old._replace(on_hand=on_hand[key]) for key, old in levels.items()]
    for old, new in zip(levels.values(), written, strict=True):
        _moved(uow, old.sku, old.node_id, _available(old), _available(new), old.reorder_point)
    await bulk.write_levels(conn, written)
    _stage_ledger(uow, ledger)
    uow.record(STOCK_CHANGED, stock_changed(a.sku for a in adjustments))
    return written


def _available(level: Level) -> int:
    return node_available(level.on_hand, level.reserved, level.safety_stock)


def _moved(uow: UnitOfWork, sku: str, node_id: int, before: int, after: int,
           reorder_point: int | None) -> None:
    """The node-level available of (sku, node) went from `before` to `after`: tell the read
    model, and the stock alerts when the position has a reorder point (no look-up: the
    point comes with the row the write locked or returned)."""
    read_model.track(uow, sku, node_id, before, after)
    if reorder_point is not None:
        stock_alerts.track(uow, sku, node_id, before, after, reorder_point)


class Hold(NamedTuple):
    """Units to reserve at a node (`take_holds`)."""

    sku: str
    node_id: int
    quantity: int


@dataclass(frozen=True)
class Release:
    """Reserved units to give back, e.g. the lines of a cart hold consumed or expired."""

    sku: str
    node_id: int
    quantity: int
    reason: StockReason
    reference: str | None = None


async def take_holds(uow: UnitOfWork, holds: Sequence[Hold], reason: StockReason, reference: str | None,
                     channel: ChannelRules | None = None, releases: Sequence[Release] = (),
                     all_or_nothing: bool = True) -> list[Hold]:
    """Give back `releases` and take `holds` (conditional updates, see `try_hold`), row by row
    in (sku, node) order, releases first at a row; returns the holds that could not be taken.

    `all_or_nothing`: on the first hold that fails, everything this call changed is undone,
    its row locks included (a savepoint), and every hold is returned; so the caller can decide
    again on fresh figures holding no stock row, and its next holds stay in (sku, node) order.
    Otherwise holds that fail are skipped (a failed conditional update locks nothing).
    """
    steps = in_stock_order([(r.sku, r.node_id, 0, i) for i, r in enumerate(releases)]
                           + [(h.sku, h.node_id, 1, i) for i, h in enumerate(holds)],
                           key=lambda step: (step[0], step[1]))
    savepoint = all_or_nothing and len(steps) > 1
    conn = connections.get("default")
    if savepoint:
        await conn.execute_query("SAVEPOINT take_holds")
    guard = _guard_of(channel)
    done: list[tuple[Hold | Release, _Row]] = []
    missed: list[Hold] = []
    for sku, node_id, kind, i in steps:
        if kind == 0:
            change: Hold | Release = releases[i]
            row = await _bump_row(sku, node_id, "reserved", -releases[i].quantity)
        else:
            change = holds[i]
            row = await _bump_row(sku, node_id, "reserved", holds[i].quantity, guarded=True,
                                  guard=guard)
        if row is not None:
            done.append((change, row))
        elif kind == 0:
            raise AssertionError(f"no stock position {sku}@{node_id} to release")
        elif all_or_nothing:
            if savepoint:
                await conn.execute_query("ROLLBACK TO SAVEPOINT take_holds")
            return list(holds)
        else:
            missed.append(holds[i])
    for change, row in done:
        if isinstance(change, Release):
            _released(uow, change, row)
        else:
            _held(uow, change, row, reason, reference)
    if done:
        uow.record(STOCK_CHANGED, stock_changed(change.sku for change, _ in done))
    return missed


async def release_holds(uow: UnitOfWork, releases: Sequence[Release]) -> None:
    """Give back reserved units (cancelled, rejected, moved), row by row in stock order."""
    await take_holds(uow, [], StockReason.RELEASE, None, releases=releases)


def _held(uow: UnitOfWork, hold: Hold, row: _Row, reason: StockReason, reference: str | None) -> None:
    _track(uow, hold.sku, hold.node_id, row, 0, hold.quantity)
    _ledger_entry(uow, hold.sku, hold.node_id, StockBucket.RESERVED, hold.quantity,
                  row["level"], reason, reference)


def _released(uow: UnitOfWork, release: Release, row: _Row) -> None:
    _track(uow, release.sku, release.node_id, row, 0, -release.quantity)
    _ledger_entry(uow, release.sku, release.node_id, StockBucket.RESERVED, -release.quantity,
                  row["level"], release.reason, release.reference)


class _Bumped(NamedTuple):
    level: int
    "The bumped column's new value."
    on_hand: int
    reserved: int


_Row = dict[str, Any]
"""What a bump returns: on_hand, reserved, safety_stock, reorder_point (None without a
policy) and the bumped column's `level`."""


def _guard_of(channel: ChannelRules | None) -> tuple[int, int] | None:
    """The (buffer, allocation percent) a hold for `channel` must stay within."""
    return None if channel is None else (channel.buffer, channel.allocation_percent)


async def _bump(uow: UnitOfWork, sku: str, node_id: int, column: str, delta: int,
                also_on_hand: bool = False) -> _Bumped | None:
    """Add `delta` to `column` (and to on_hand too, with `also_on_hand`) in one round trip,
    tell the read model, and return the new level; None when no row matched."""
    row = await _bump_row(sku, node_id, column, delta, also_on_hand=also_on_hand)
    if row is None:
        return None
    on_hand_delta = delta if also_on_hand or column == "on_hand" else 0
    _track(uow, sku, node_id, row, on_hand_delta, delta if column == "reserved" else 0)
    return _Bumped(row["level"], row["on_hand"], row["reserved"])


def _track(uow: UnitOfWork, sku: str, node_id: int, row: _Row, on_hand_delta: int,
           reserved_delta: int) -> None:
    """Tell the read model the node-level available before and after a bump that returned `row`."""
    after = node_available(row["on_hand"], row["reserved"], row["safety_stock"])
    before = node_available(row["on_hand"] - on_hand_delta, row["reserved"] - reserved_delta,
                            row["safety_stock"])
    _moved(uow, sku, node_id, before, after, row["reorder_point"])


async def _bump_row(sku: str, node_id: int, column: str, delta: int, guarded: bool = False,
                    also_on_hand: bool = False,
                    guard: tuple[int, int] | None = None) -> _Row | None:
    """The one UPDATE behind every bump (SQL text stable per variant, so it stays prepared).

    `guarded`: only while on_hand - reserved - safety_stock >= delta. `guard` (a channel's
    buffer and allocation percent): also only while the channel's share of what is left,
    (on_hand - reserved - safety_stock - buffer) * percent / 100, is at least `delta`: the
    integer form of `oms.availability.channel_share` (buffer >= 0, percent 0..100). Both
    compare in 64 bits: the columns are 32-bit, and on PostgreSQL 32-bit arithmetic
    overflowed (a large safety stock, or past 21,474,836 units times a percent).
    """
    conn = connections.get("default")
    marks = iter(placeholders(conn, 8))
    values: list[object] = [delta]
    change = f'"{column}" = "{column}" + {next(marks)}'
    if also_on_hand:
        change += f', "on_hand" = "on_hand" + {next(marks)}'
        values.append(delta)
    sql = (f'UPDATE "inventory_position" SET {change} '
           f'WHERE "sku" = {next(marks)} AND "node_id" = {next(marks)}')
    values += [sku, node_id]
    if guarded or guard is not None:
        sql += f' AND "on_hand" >= CAST("reserved" AS BIGINT) + "safety_stock" + {next(marks)}'
        values.append(delta)
    if guard is not None:
        buffer, percent = next(marks), next(marks)
        sql += (f' AND (CAST("on_hand" AS BIGINT) - "reserved" - "safety_stock" - {buffer})'
                f' * {percent} >= 100 * CAST({next(marks)} AS BIGINT)')
        values += [guard[0], guard[1], delta]
    rows = await conn.execute_query_dict(
        sql + f' RETURNING "on_hand", "reserved", "safety_stock", "reorder_point", "{column}" AS level',
        values)
    return rows[0] if rows else None


async def ship_held(uow: UnitOfWork, units: Sequence[Hold], reason: StockReason,
                    reference: str | None = None) -> None:
    """Units leave their nodes: on-hand and reserved both drop (what channels see does not
    move), row by row in stock order."""
    for unit in in_stock_order(units, key=_key_of):
        row = await _bump(uow, unit.sku, unit.node_id, "reserved", -unit.quantity, also_on_hand=True)
        reserved, on_hand = (row.reserved, row.on_hand) if row else (0, 0)
        _ledger_entry(uow, unit.sku, unit.node_id, StockBucket.RESERVED, -unit.quantity, reserved,
                      reason, reference)
        _ledger_entry(uow, unit.sku, unit.node_id, StockBucket.ON_HAND, -unit.quantity, on_hand,
                      reason, reference)
    if units:
        uow.record(STOCK_CHANGED, stock_changed(unit.sku for unit in units))


class Arrival(NamedTuple):
    """Returned units arriving at a node, and the bucket they go to (`receive_returned`)."""

    sku: str
    node_id: int
    quantity: int
    bucket: StockBucket


async def receive_returned(uow: UnitOfWork, arrivals: Sequence[Arrival],
                           reference: str | None = None) -> None:
    """Returned units arrive: sellable (ON_HAND) or held (SCRAPPED, RETURN_TO_VENDOR); the
    positions are locked (created when missing) first, all at once."""
    await locks.lock_positions(connections.get("default"), [_key_of(a) for a in arrivals])
    for arrival in in_stock_order(arrivals, key=_key_of):
        row = await _bump(uow, arrival.sku, arrival.node_id, _BUCKET_COLUMN[arrival.bucket],
                          arrival.quantity)
        _ledger_entry(uow, arrival.sku, arrival.node_id, arrival.bucket, arrival.quantity,
                      row.level if row else 0, StockReason.RETURN, reference)
    sellable = [a.sku for a in arrivals if a.bucket is StockBucket.ON_HAND]
    if sellable:
        uow.record(STOCK_CHANGED, stock_changed(sellable))


def _key_of(row: Hold | Arrival) -> Key:
    return row.sku, row.node_id


_BUCKET_COLUMN = {
    StockBucket.ON_HAND: "on_hand",
    StockBucket.RESERVED: "reserved",
    StockBucket.SCRAPPED: "scrapped",
    StockBucket.RETURN_TO_VENDOR: "return_to_vendor",
}


LEDGER_COLUMNS = ("sku", "node_id", "bucket", "delta", "resulting", "reason", "note", "actor",
                  "reference")
"The columns of a staged ledger row; `at` is stamped when the rows are inserted."


def _ledger_row(uow: UnitOfWork, sku: str, node_id: int, bucket: StockBucket, delta: int,
                resulting: int, reason: StockReason, reference: str | None = None,
                note: str | None = None) -> tuple[Any, ...]:
    return (sku, node_id, bucket.value, delta, resulting, reason, note, uow.actor, reference)


def _stage_ledger(uow: UnitOfWork, rows: list[tuple[Any, ...]]) -> None:
    """Stage ledger rows: they are inserted with the unit of work's commit (COPY when many)."""
    uow.stage_rows(StockLedgerEntry._meta.db_table, LEDGER_COLUMNS, rows, stamp="at")


def _ledger_entry(uow: UnitOfWork, sku: str, node_id: int, bucket: StockBucket, delta: int,
                  resulting: int, reason: StockReason, reference: str | None = None,
                  note: str | None = None) -> None:
    """Stage one ledger entry: it is inserted with the unit of work's commit."""
    _stage_ledger(uow, [_ledger_row(uow, sku, node_id, bucket, delta, resulting, reason,
                                    reference, note)])


async def checkpoint(uow: UnitOfWork) -> None:
    """Between the chunks of a long unit of work (a file import): fold its read-model
    changes into per-(channel, SKU) totals and insert its staged ledger and outbox rows,
    so its memory does not grow with the rows written."""
    await read_model.fold(uow)
    await uow.write_staged()


async def set_reorder_policies(policies: Sequence[bulk.Policy]) -> None:
    """Store reorder policies on their positions, created when missing (checked by
    `oms.reorder`); locked first in stock order, like every writer of these rows, so a
    point never changes under a stock change deciding whether it crossed it."""
    conn = connections.get("default")
    await locks.lock_positions(conn, [(p.sku, p.node_id) for p in policies])
    await bulk.write_policies(conn, policies)


async def positions_for_sku(sku: str, node_ids: set[int] | None = None) -> list[InventoryPosition]:
    """The SKU's positions (only at `node_ids`, when given)."""
    if not fits(sku, InventoryPosition, "sku"):
        return []
    query = InventoryPosition.filter(sku=sku)
    if node_ids is not None:
        query = query.filter(node_id__in=sorted(node_ids))
    return await query.order_by("node_id")


__all__ = [
    "Adjustment", "Arrival", "DomainError", "Hold", "InventoryRecord", "Key", "Level", "Release",
    "adjust_inventory", "checkpoint", "sync_problems",
    "positions_for_sku", "receive_returned", "release_holds", "set_reorder_policies",
    "ship_held", "sync_inventory", "take_holds",
]
