"""Every write to stock goes through here: snapshots, deltas, holds, shipments, returns.

Rows are locked in one fixed order (sku, node) so concurrent writers never deadlock,
holds use a conditional update so stock is never promised twice, and every change
leaves a ledger entry (who, why, delta, resulting level).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from tortoise import connections

from oms.availability import read_model
from oms.availability.rules import ChannelRules, node_available
from oms.db import placeholders
from oms.enums import StockBucket
from oms.errors import DomainError, ErrorCode, Problems
from oms.events.topics import STOCK_CHANGED, stock_changed
from oms.models import InventoryPosition, Node, Sku, StockLedgerEntry
from oms.uow import UnitOfWork

Key = tuple[str, int]  # (sku, node id)


@dataclass(frozen=True)
class InventoryRecord:
    sku: str
    node_code: str
    on_hand: int
    safety_stock: int | None = None


@dataclass(frozen=True)
class Adjustment:
    sku: str
    node_code: str
    delta: int
    reason: str | None = None


async def _nodes_by_code(codes: Iterable[str]) -> dict[str, Node]:
    return {n.code: n for n in await Node.filter(code__in=set(codes))}


async def lock_positions(keys: Iterable[Key]) -> dict[Key, InventoryPosition]:
    """Lock the positions of `keys` (FOR UPDATE on PostgreSQL) in (sku, node) order."""
    ordered = sorted(set(keys))
    if not ordered:
        return {}
    skus = {k[0] for k in ordered}
    nodes = {k[1] for k in ordered}
    rows = await (
        InventoryPosition.filter(sku__in=skus, node_id__in=nodes)
        .select_for_update()
        .order_by("sku", "node_id")
    )
    wanted = set(ordered)
    return {(p.sku, p.node_id): p for p in rows if (p.sku, p.node_id) in wanted}


async def lock_levels(skus: Iterable[str]) -> list[tuple[int, str, int, int, int]]:
    """Lock every position of `skus` (FOR UPDATE on PostgreSQL, in (sku, node) order) and
    return (node id, sku, on_hand, reserved, safety_stock) for each.

    Sourcing reads its figures this way, so the holds it then takes cannot fail and
    concurrent orders queue on the same rows in the same order (no deadlock).
    """
    rows = await (
        InventoryPosition.filter(sku__in=set(skus)).select_for_update()
        .order_by("sku", "node_id")
    )  # model rows: Tortoise drops FOR UPDATE from values_list() queries
    return [(p.node_id, p.sku, p.on_hand, p.reserved, p.safety_stock) for p in rows]


def _check_sync(records: Sequence[InventoryRecord], nodes: dict[str, Node]) -> None:
    problems = Problems()
    seen: set[tuple[str, str]] = set()
    for i, rec in enumerate(records):
        if not rec.sku.strip():
            problems.add(ErrorCode.UNKNOWN_SKU, "sku must not be empty", "records", i, "sku")
        if rec.node_code not in nodes:
            problems.add(ErrorCode.UNKNOWN_NODE, f"unknown node {rec.node_code!r}",
                         "records", i, "nodeCode")
        if rec.on_hand < 0:
            problems.add(ErrorCode.NEGATIVE_QUANTITY, "onHand must be >= 0",
                         "records", i, "onHand")
        if rec.safety_stock is not None and rec.safety_stock < 0:
            problems.add(ErrorCode.NEGATIVE_QUANTITY, "safetyStock must be >= 0",
                         "records", i, "safetyStock")
        key = (rec.sku, rec.node_code)
        if key in seen:
            problems.add(ErrorCode.DUPLICATE_RECORD,
                         f"{rec.sku} at {rec.node_code} appears twice in one sync", "records", i)
        seen.add(key)
    problems.raise_if_any()


async def sync_inventory(uow: UnitOfWork, records: Sequence[InventoryRecord],
                         note: str | None = None) -> list[InventoryPosition]:
    """Set absolute on-hand levels (a WMS/ERP snapshot). All records or none."""
    nodes = await _nodes_by_code(r.node_code for r in records)
    _check_sync(records, nodes)
    await _ensure_skus(r.sku for r in records)
    keys = {(r.sku, nodes[r.node_code].id): r for r in records}
    positions = await _lock_or_create(keys)
    for key, rec in keys.items():
        pos = positions[key]
        before = _available(pos)
        delta = rec.on_hand - pos.on_hand
        pos.on_hand = rec.on_hand
        if rec.safety_stock is not None:
            pos.safety_stock = rec.safety_stock
        read_model.track(uow, pos.sku, pos.node_id, before, _available(pos))
        if delta:
            _ledger_entry(uow, pos.sku, pos.node_id, StockBucket.ON_HAND, delta, pos.on_hand,
                          "SYNC", note=note)
    await _save(positions.values(), ["on_hand", "safety_stock", "updated_at"])
    uow.record(STOCK_CHANGED, stock_changed(r.sku for r in records))
    return list(positions.values())


async def adjust_inventory(uow: UnitOfWork,
                           adjustments: Sequence[Adjustment]) -> list[InventoryPosition]:
    """Apply signed on-hand changes. All or none; on-hand never drops below reserved."""
    nodes = await _nodes_by_code(a.node_code for a in adjustments)
    known = set(await Sku.filter(code__in={a.sku for a in adjustments})
                .values_list("code", flat=True))
    problems = Problems()
    for i, adj in enumerate(adjustments):
        if adj.node_code not in nodes:
            problems.add(ErrorCode.UNKNOWN_NODE, f"unknown node {adj.node_code!r}",
                         "adjustments", i, "nodeCode")
        if adj.sku not in known:
            problems.add(ErrorCode.UNKNOWN_SKU, f"unknown SKU {adj.sku!r}",
                         "adjustments", i, "sku")
    problems.raise_if_any()
    keys = {(a.sku, nodes[a.node_code].id) for a in adjustments}
    positions = await _lock_or_create(keys)
    for i, adj in enumerate(adjustments):
        pos = positions[(adj.sku, nodes[adj.node_code].id)]
        level = pos.on_hand + adj.delta
        if level < pos.reserved:
            problems.add(
                ErrorCode.BELOW_RESERVED,
                f"{adj.sku} at {adj.node_code}: on-hand {pos.on_hand} {adj.delta:+d} would fall "
                f"below the {pos.reserved} reserved", "adjustments", i, "delta",
            )
            continue
        before = _available(pos)
        pos.on_hand = level
        read_model.track(uow, pos.sku, pos.node_id, before, _available(pos))
        _ledger_entry(uow, pos.sku, pos.node_id, StockBucket.ON_HAND, adj.delta, level, "ADJUST",
                      note=adj.reason)
    problems.raise_if_any()
    await _save(positions.values(), ["on_hand", "updated_at"])
    uow.record(STOCK_CHANGED, stock_changed(a.sku for a in adjustments))
    return list(positions.values())


async def _ensure_skus(skus: Iterable[str]) -> None:
    wanted = set(skus)
    existing = set(await Sku.filter(code__in=wanted).values_list("code", flat=True))
    missing = wanted - existing
    if missing:
        await Sku.bulk_create([Sku(code=c) for c in sorted(missing)], ignore_conflicts=True)


async def _lock_or_create(keys: Iterable[Key]) -> dict[Key, InventoryPosition]:
    wanted = set(keys)
    positions = await lock_positions(wanted)
    missing = [k for k in sorted(wanted) if k not in positions]
    if missing:
        await InventoryPosition.bulk_create(
            [InventoryPosition(sku=s, node_id=n) for s, n in missing], ignore_conflicts=True
        )
        positions.update(await lock_positions(missing))
    return positions


async def _save(positions: Iterable[InventoryPosition], fields: list[str]) -> None:
    rows = list(positions)
    if rows:
        await InventoryPosition.bulk_update(rows, fields=fields, batch_size=500)


def _available(pos: InventoryPosition) -> int:
    return node_available(pos.on_hand, pos.reserved, pos.safety_stock)


async def try_hold(uow: UnitOfWork, sku: str, node_id: int, quantity: int, reason: str,
                   reference: str | None = None, channel: ChannelRules | None = None) -> bool:
    """Reserve `quantity` at a node if, and only if, it is still available (atomic, no oversell);
    with `channel`, only if it is also within that channel's share of the node (`_bump_row`)."""
    row = await _bump_row(sku, node_id, "reserved", quantity, guarded=True,
                          guard=_guard_of(channel))
    if row is None:
        return False
    _held(uow, Hold(sku, node_id, quantity), row, reason, reference)
    uow.record(STOCK_CHANGED, stock_changed([sku]))
    return True


async def release_hold(uow: UnitOfWork, sku: str, node_id: int, quantity: int, reason: str,
                       reference: str | None = None) -> None:
    """Give back reserved units (cancelled, expired, rejected, moved)."""
    row = await _bump(uow, sku, node_id, "reserved", -quantity)
    _ledger_entry(uow, sku, node_id, StockBucket.RESERVED, -quantity, row.level if row else 0,
                  reason, reference)
    uow.record(STOCK_CHANGED, stock_changed([sku]))


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
    reason: str
    reference: str | None = None


async def take_holds(uow: UnitOfWork, holds: Sequence[Hold], reason: str, reference: str | None,
                     channel: ChannelRules | None = None, releases: Sequence[Release] = (),
                     all_or_nothing: bool = True) -> list[Hold]:
    """Give back `releases` and take `holds` (conditional updates, see `try_hold`), row by row
    in (sku, node) order, releases first at a row; returns the holds that could not be taken.

    `all_or_nothing`: on the first hold that fails, everything this call changed is undone,
    its row locks included (a savepoint), and every hold is returned; so the caller can decide
    again on fresh figures holding no stock row, and its next holds stay in (sku, node) order.
    Otherwise holds that fail are skipped (a failed conditional update locks nothing).
    """
    steps = sorted([(r.sku, r.node_id, 0, i) for i, r in enumerate(releases)]
                   + [(h.sku, h.node_id, 1, i) for i, h in enumerate(holds)])
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


def _held(uow: UnitOfWork, hold: Hold, row: _Row, reason: str, reference: str | None) -> None:
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


_Row = dict[str, int]
"What a bump returns: on_hand, reserved, safety_stock and the bumped column's `level`."


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
    read_model.track(uow, sku, node_id, before, after)


async def _bump_row(sku: str, node_id: int, column: str, delta: int, guarded: bool = False,
                    also_on_hand: bool = False,
                    guard: tuple[int, int] | None = None) -> _Row | None:
    """The one UPDATE behind every bump (SQL text stable per variant, so it stays prepared).

    `guarded`: only while on_hand - reserved - safety_stock >= delta. `guard` (a channel's
    buffer and allocation percent): also only while the channel's share of what is left,
    (on_hand - reserved - safety_stock - buffer) * percent / 100, is at least `delta`: the
    integer form of `oms.availability.channel_share` (buffer >= 0, percent 0..100).
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
        sql += f' AND "on_hand" >= "reserved" + "safety_stock" + {next(marks)}'
        values.append(delta)
    if guard is not None:
        buffer, percent = next(marks), next(marks)
        sql += (f' AND ("on_hand" - "reserved" - "safety_stock" - {buffer}) * {percent}'
                f' >= 100 * {next(marks)}')
        values += [guard[0], guard[1], delta]
    rows = await conn.execute_query_dict(
        sql + f' RETURNING "on_hand", "reserved", "safety_stock", "{column}" AS level', values)
    return rows[0] if rows else None


async def ship_held(uow: UnitOfWork, sku: str, node_id: int, quantity: int, reason: str,
                    reference: str | None = None) -> None:
    """Units leave the node: on-hand and reserved both drop (what channels see does not move)."""
    row = await _bump(uow, sku, node_id, "reserved", -quantity, also_on_hand=True)
    reserved, on_hand = (row.reserved, row.on_hand) if row else (0, 0)
    _ledger_entry(uow, sku, node_id, StockBucket.RESERVED, -quantity, reserved, reason, reference)
    _ledger_entry(uow, sku, node_id, StockBucket.ON_HAND, -quantity, on_hand, reason, reference)
    uow.record(STOCK_CHANGED, stock_changed([sku]))


async def receive_returned(uow: UnitOfWork, sku: str, node_id: int, quantity: int,
                           bucket: StockBucket, reference: str | None = None) -> None:
    """Returned units arrive at a node: sellable (ON_HAND) or held (SCRAPPED, RETURN_TO_VENDOR)."""
    await _lock_or_create([(sku, node_id)])
    row = await _bump(uow, sku, node_id, _BUCKET_COLUMN[bucket], quantity)
    _ledger_entry(uow, sku, node_id, bucket, quantity, row.level if row else 0, "RETURN",
                  reference)
    if bucket is StockBucket.ON_HAND:
        uow.record(STOCK_CHANGED, stock_changed([sku]))


_BUCKET_COLUMN = {
    StockBucket.ON_HAND: "on_hand",
    StockBucket.RESERVED: "reserved",
    StockBucket.SCRAPPED: "scrapped",
    StockBucket.RETURN_TO_VENDOR: "return_to_vendor",
}


def _ledger_entry(uow: UnitOfWork, sku: str, node_id: int, bucket: StockBucket, delta: int,
                  resulting: int, reason: str, reference: str | None = None,
                  note: str | None = None) -> None:
    """Stage a ledger entry: it is inserted with the unit of work's commit."""
    uow.stage(StockLedgerEntry(
        sku=sku, node_id=node_id, bucket=bucket, delta=delta, resulting=resulting,
        reason=reason, note=note, actor=uow.actor, reference=reference,
    ))


async def positions_for_sku(sku: str) -> list[InventoryPosition]:
    return await InventoryPosition.filter(sku=sku).order_by("node_id")


__all__ = [
    "Adjustment", "DomainError", "Hold", "InventoryRecord", "Release", "adjust_inventory",
    "lock_levels", "lock_positions",
    "positions_for_sku", "receive_returned", "release_hold",
    "ship_held", "sync_inventory", "take_holds", "try_hold",
]
