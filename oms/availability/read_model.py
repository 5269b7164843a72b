"""The availability read model: what each channel may promise of each SKU, kept current.

`channel_stock` holds, per (channel, SKU), the channel's promisable total for any
delivery method, for shipping and for pickup. `oms.inventory`, the only writer of
stock, reports each position's node-level available before and after a change
(`track`); when the unit of work commits, the changes become per-channel deltas
under the channel and node rules as they then stand, applied in (channel, SKU)
order in one statement. A long unit of work (a file import) folds its changes into
those deltas as it goes (`fold`), keeping one total per (channel, SKU). Channel and
node edits recompute the totals they affect from the positions (`rebuild`). On
PostgreSQL the delta step takes a shared advisory lock and a rebuild an exclusive
one, so a rebuild never misses, or counts twice, a concurrent change. Where a channel's
total of a SKU rises from 0, the back-in-stock notices waiting for it are told, in the
same transaction (`oms.notifications.back_in_stock`).

The totals count every hold: cart holds that expired but were not swept yet are
given back at read time (`oms.availability.queries`).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from tortoise import connections

from oms.availability.rules import channel_sees, channel_share
from oms.clock import now
from oms.db import is_postgres, json_list, placeholders
from oms.enums import DeliveryMethod, ReservationStatus
from oms.notifications import back_in_stock
from oms.uow import UnitOfWork

Key = tuple[str, int]  # (sku, node id)
METHODS: tuple[DeliveryMethod | None, ...] = (
    None, DeliveryMethod.SHIP_TO_ADDRESS, DeliveryMethod.PICKUP_IN_STORE,
)
COLUMNS = ("available", "ship_available", "pickup_available")
"The read model's column for each of METHODS."
CHANNEL_COLUMNS = ", ".join(f'c."{name}"' for name in (
    "id", "code", "active", "buffer", "allocation_percent", "excluded_node_codes", "node_types"))
"What ChannelRow holds, as selected from `channel c`."
LOCK_KEY = 0x0A5A11AB1E
"PostgreSQL advisory lock between delta steps (shared) and rebuilds (exclusive)."
MAX_TOTALS = 200_000
"Folded (channel, SKU) totals a unit of work keeps in memory before writing them."


class ChannelRow(NamedTuple):
    id: int
    code: str
    active: bool
    buffer: int
    allocation_percent: int
    excluded_node_codes: frozenset[str]
    node_types: frozenset[str]


class NodeRow(NamedTuple):
    id: int
    code: str
    type: str
    active: bool
    can_ship: bool
    can_pickup: bool


def column(method: DeliveryMethod | None) -> str:
    return COLUMNS[METHODS.index(method)]


class Pending:
    """A unit of work's stock changes not yet in the read model: per position (before,
    after) as tracked, and per (channel id, SKU) the deltas of changes already folded."""

    def __init__(self) -> None:
        self.changes: dict[Key, list[int]] = {}
        self.totals: dict[tuple[int, str], list[int]] = {}
        self.channels: list[ChannelRow] | None = None
        self.nodes: dict[int, NodeRow] = {}


def track(uow: UnitOfWork, sku: str, node_id: int, before: int, after: int) -> None:
    """Record that the node-level available of (sku, node) went from `before` to `after`."""
    changes = _pending(uow).changes
    seen = changes.get((sku, node_id))
    if seen is None:
        changes[(sku, node_id)] = [before, after]
    else:
        seen[1] = after


async def fold(uow: UnitOfWork) -> None:
    """Turn the changes tracked so far into per-(channel, SKU) deltas, kept for the commit:
    a long unit of work (a file import) holds one total per (channel, SKU), not one pair
    per position, and writes each total once. Past MAX_TOTALS they are written now."""
    pending = _pending(uow)
    await _fold(pending)
    if len(pending.totals) >= MAX_TOTALS:
        await _add(connections.get("default"), sorted(pending.totals.items()))
        pending.totals.clear()


def _pending(uow: UnitOfWork) -> Pending:
    return uow.state("availability", Pending, _apply)


async def load_channels(conn: Any, channel_ids: Iterable[int] | None = None) -> list[ChannelRow]:
    sql = f'SELECT {CHANNEL_COLUMNS} FROM "channel" c'
    rows = await conn.execute_query_dict(sql + ' ORDER BY c."id"')
    wanted = None if channel_ids is None else set(channel_ids)
    return [_channel_row(r) for r in rows if wanted is None or r["id"] in wanted]


def _channel_row(row: dict[str, Any]) -> ChannelRow:
    return ChannelRow(row["id"], row["code"], bool(row["active"]), row["buffer"],
                      row["allocation_percent"], json_list(row["excluded_node_codes"]),
                      json_list(row["node_types"]))


async def channel_with_totals(conn: Any, code: str, skus: Sequence[str],
                              method: DeliveryMethod | None
                              ) -> tuple[ChannelRow | None, dict[str, int], bool]:
    """The channel named `code`, its stored totals for `skus`, and whether a live cart hold
    of those SKUs has expired unswept (then the totals need correcting), in one round trip:
    what every storefront availability read needs first."""
    col = column(method)
    held = ('EXISTS (SELECT 1 FROM "reservation" r JOIN "reservation_line" l ON '
            'l."reservation_id" = r."id" WHERE r."status" = {status} AND r."expires_at" <= '
            '{moment} AND l."sku" {match}) AS expired')
    active, moment = ReservationStatus.ACTIVE.value, now()
    if is_postgres(conn):
        match, name = "= ANY($2)", "$1"
        held = held.format(status="$3", moment="$4", match=match)
        values: list[Any] = [code, list(skus), active, moment]
    else:
        match, name = f"IN ({', '.join('?' * len(skus))})", "?"
        held = held.format(status="?", moment="?", match=match)
        values = [active, moment, *skus, *skus, code]
    rows = await conn.execute_query_dict(
        f'SELECT {CHANNEL_COLUMNS}, {held}, s."sku" AS stock_sku, s."{col}" AS total '
        f'FROM "channel" c LEFT JOIN "channel_stock" s ON s."channel_id" = c."id" '
        f'AND s."sku" {match} WHERE c."code" = {name}', values)
    if not rows:
        return None, {}, False
    totals = {r["stock_sku"]: r["total"] for r in rows if r["stock_sku"]}
    return _channel_row(rows[0]), totals, bool(rows[0]["expired"])


async def load_nodes(conn: Any, node_ids: Iterable[int] | None = None) -> dict[int, NodeRow]:
    sql = 'SELECT "id", "code", "type", "active", "can_ship", "can_pickup" FROM "node"'
    if node_ids is not None:
        ids = sorted(set(node_ids))
        sql += f' WHERE "id" IN ({", ".join(str(int(i)) for i in ids)})' if ids else " WHERE 1 = 0"
    rows = await conn.execute_query_dict(sql)
    return {r["id"]: NodeRow(r["id"], r["code"], str(r["type"]), bool(r["active"]),
                             bool(r["can_ship"]), bool(r["can_pickup"])) for r in rows}


def deltas(changes: dict[Key, list[int]], channels: Sequence[ChannelRow],
           nodes: dict[int, NodeRow],
           out: dict[tuple[int, str], list[int]] | None = None) -> dict[tuple[int, str], list[int]]:
    """Per (channel id, SKU): the change of each of COLUMNS that `changes` make (added
    into `out` when given)."""
    views = _views(channels, nodes.values())
    out = {} if out is None else out
    for (sku, node_id), (before, after) in changes.items():
        if before == after:
            continue
        for channel, seen in views.get(node_id, ()):
            delta = channel_share(channel, after) - channel_share(channel, before)
            if not delta:
                continue
            row = out.get((channel.id, sku))
            if row is None:
                row = out[(channel.id, sku)] = [0, 0, 0]
            for i in seen:
                row[i] += delta
    return out


View = tuple[ChannelRow, tuple[int, ...]]
"A channel that sees a node, and the indexes of the COLUMNS it counts the node in."


def _views(channels: Sequence[ChannelRow], nodes: Iterable[NodeRow]) -> dict[int, list[View]]:
    """Per node id, the channels that see it (worked out once per node, not per position)."""
    views: dict[int, list[View]] = {}
    for node in nodes:
        for ch in channels:
            seen = tuple(i for i, method in enumerate(METHODS) if channel_sees(ch, node, method))
            if seen:
                views.setdefault(node.id, []).append((ch, seen))
    return views


async def _fold(pending: Pending) -> None:
    moved = {key: pair for key, pair in pending.changes.items() if pair[0] != pair[1]}
    pending.changes.clear()
    if not moved:
        return
    conn = connections.get("default")
    if pending.channels is None:
        if is_postgres(conn):
            await conn.execute_query("SELECT pg_advisory_xact_lock_shared($1)", [LOCK_KEY])
        pending.channels = await load_channels(conn)
    unknown = {node_id for _, node_id in moved} - pending.nodes.keys()
    if unknown:
        pending.nodes.update(await load_nodes(conn, unknown))
    deltas(moved, pending.channels, pending.nodes, pending.totals)


async def _apply(pending: Pending) -> None:
    """Write this unit of work's stock changes into the read model (at commit)."""
    await _fold(pending)
    rows = sorted((key, row) for key, row in pending.totals.items() if any(row))
    await _add(connections.get("default"), rows)


async def _add(conn: Any, rows: list[tuple[tuple[int, str], list[int]]]) -> None:
    if not rows:
        return
    await _write_deltas(conn, rows)
    await back_in_stock.rose(conn, [(key, delta[0]) for key, delta in rows])


async def _write_deltas(conn: Any, rows: list[tuple[tuple[int, str], list[int]]]) -> None:
    update = ", ".join(f'"{c}" = "channel_stock"."{c}" + EXCLUDED."{c}"' for c in COLUMNS)
    conflict = f' ON CONFLICT ("channel_id", "sku") DO UPDATE SET {update}'
    insert = f'INSERT INTO "channel_stock" ("channel_id", "sku", {", ".join(COLUMNS)}) '
    if is_postgres(conn):
        columns = [[c for (c, _), _ in rows], [s for (_, s), _ in rows],
                   *([d[i] for _, d in rows] for i in range(len(COLUMNS)))]
        await conn.execute_query(
            insert + "SELECT * FROM unnest($1::int[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[])"
            + conflict, columns)
        return
    marks = ", ".join(placeholders(conn, 5))
    await conn.execute_many(insert + f"VALUES ({marks})" + conflict,
                            [[c, s, *d] for (c, s), d in rows])


async def rebuild(channel_ids: Iterable[int] | None = None, conn: Any = None) -> None:
    """Recompute the totals of these channels (all when None) from the positions, in the
    caller's transaction: after a channel's rules or a node's visibility changed."""
    conn = conn or connections.get("default")
    postgres = is_postgres(conn)
    if postgres:
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY])
    nodes = await load_nodes(conn)
    for channel in await load_channels(conn, channel_ids):
        watched = await back_in_stock.watched_totals(conn, channel.id)
        await conn.execute_query(f'DELETE FROM "channel_stock" WHERE "channel_id" = {channel.id}')
        sql = _rebuild_sql(channel, list(nodes.values()), "GREATEST" if postgres else "MAX")
        if sql:
            await conn.execute_query(sql)
        await back_in_stock.rebuilt(conn, channel.id, watched)


def _rebuild_sql(channel: ChannelRow, nodes: list[NodeRow], greatest: str) -> str | None:
    """INSERT ... SELECT of one channel's totals (ids and numbers inlined: all integers)."""
    seen = [sorted(n.id for n in nodes if channel_sees(channel, n, m)) for m in METHODS]
    if not seen[0]:
        return None
    share = (f'{greatest}(0, {greatest}(0, CAST("on_hand" AS BIGINT) - "reserved" - "safety_stock") '
             f'- {int(channel.buffer)}) * {int(channel.allocation_percent)} / 100')  # 64-bit: see 0008

    def total(ids: list[int]) -> str:
        if not ids:
            return "0"
        return f'SUM(CASE WHEN "node_id" IN ({", ".join(map(str, ids))}) THEN s ELSE 0 END)'

    return (
        f'INSERT INTO "channel_stock" ("channel_id", "sku", {", ".join(COLUMNS)}) '
        f'SELECT {int(channel.id)}, "sku", {", ".join(total(ids) for ids in seen)} FROM '
        f'(SELECT "sku", "node_id", {share} AS s FROM "inventory_position" '
        f'WHERE "node_id" IN ({", ".join(map(str, seen[0]))})) AS p GROUP BY "sku"'
    )
