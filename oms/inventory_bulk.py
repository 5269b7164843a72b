"""The SQL behind `oms.inventory`'s bulk writes (syncs, adjustments, imports): thousands of
positions in a few statements, read and written as plain values, never as models.

`lock_or_create` locks the wanted positions (and, when asked, every position of some
SKUs) with one `SELECT ... FOR UPDATE` ordered by (sku, node) in code-point order, the
order every other stock writer uses, creates the missing ones, and returns their levels.
`write_levels` then sets on-hand, safety stock and inbound of rows it locked. On PostgreSQL the
keys travel as arrays (`unnest`); on SQLite, which runs one transaction at a time and
has no row locks, as `executemany` rows or one JSON array.
"""
from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from typing import Any, NamedTuple

from tortoise import timezone

from oms.db import is_postgres

Key = tuple[str, int]  # (sku, node id)


class Level(NamedTuple):
    """A position's figures as the database holds them (or will, once written)."""

    sku: str
    node_id: int
    on_hand: int
    reserved: int
    safety_stock: int
    inbound: int = 0
    reorder_point: int | None = None
    "The position's reorder policy, when it has one (read, never written here)."


_PG_LOCK = """
SELECT p."sku", p."node_id", p."on_hand", p."reserved", p."safety_stock", p."inbound",
       p."reorder_point"
FROM unnest($1::text[], $2::int[]) AS k(sku, node_id)
JOIN "inventory_position" p ON p."sku" = k.sku AND p."node_id" = k.node_id
ORDER BY p."sku" COLLATE "C", p."node_id"
FOR UPDATE OF p"""
_PG_LOCK_WITH_SKUS = """
SELECT p."sku", p."node_id", p."on_hand", p."reserved", p."safety_stock", p."inbound",
       p."reorder_point"
FROM "inventory_position" p WHERE p."id" IN (
    SELECT p."id" FROM unnest($1::text[], $2::int[]) AS k(sku, node_id)
    JOIN "inventory_position" p ON p."sku" = k.sku AND p."node_id" = k.node_id
    UNION SELECT "id" FROM "inventory_position" WHERE "sku" = ANY($3::text[]))
ORDER BY p."sku" COLLATE "C", p."node_id"
FOR UPDATE OF p"""
_PG_CREATE = """
INSERT INTO "inventory_position" ("sku", "node_id", "on_hand", "reserved", "safety_stock",
                                  "scrapped", "return_to_vendor", "updated_at")
SELECT k.sku, k.node_id, 0, 0, 0, 0, 0, $3 FROM unnest($1::text[], $2::int[]) AS k(sku, node_id)
ORDER BY k.sku COLLATE "C", k.node_id
ON CONFLICT ("sku", "node_id") DO NOTHING
RETURNING "sku", "node_id"
"""
_PG_WRITE = """
UPDATE "inventory_position" p
SET "on_hand" = k.on_hand, "safety_stock" = k.safety_stock, "inbound" = k.inbound, "updated_at" = $6
FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::int[])
     AS k(sku, node_id, on_hand, safety_stock, inbound)
WHERE p."sku" = k.sku AND p."node_id" = k.node_id"""
_PG_POLICIES = """
UPDATE "inventory_position" p
SET "reorder_point" = k.point, "target_level" = k.target, "lead_time_days" = k.lead
FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::float8[])
     AS k(sku, node_id, point, target, lead)
WHERE p."sku" = k.sku AND p."node_id" = k.node_id"""
_PG_SKUS = """
INSERT INTO "sku" ("code", "created_at")
SELECT c.code, $2 FROM unnest($1::text[]) AS c(code)
WHERE NOT EXISTS (SELECT 1 FROM "sku" s WHERE s."code" = c.code)
ORDER BY c.code COLLATE "C"
ON CONFLICT ("code") DO NOTHING"""

_LITE_MISSING = """
INSERT INTO "inventory_position" ("sku", "node_id", "on_hand", "reserved", "safety_stock",
                                  "scrapped", "return_to_vendor", "updated_at")
VALUES (?, ?, 0, 0, 0, 0, 0, ?) ON CONFLICT ("sku", "node_id") DO NOTHING"""
_LITE_READ = """
SELECT p."sku", p."node_id", p."on_hand", p."reserved", p."safety_stock", p."inbound",
       p."reorder_point"
FROM json_each(?) AS k
JOIN "inventory_position" p
  ON p."sku" = json_extract(k.value, '$[0]') AND p."node_id" = json_extract(k.value, '$[1]')"""
_LITE_WRITE = """
UPDATE "inventory_position" SET "on_hand" = ?, "safety_stock" = ?, "inbound" = ?, "updated_at" = ?
WHERE "sku" = ? AND "node_id" = ?"""
_LITE_POLICIES = """
UPDATE "inventory_position" SET "reorder_point" = ?, "target_level" = ?, "lead_time_days" = ?
WHERE "sku" = ? AND "node_id" = ?"""
_LITE_SKUS = 'INSERT INTO "sku" ("code", "created_at") VALUES (?, ?) ON CONFLICT ("code") DO NOTHING'


async def ensure_skus(conn: Any, codes: Iterable[str]) -> None:
    """Make every one of `codes` a known SKU (one statement; existing ones are left alone)."""
    ordered = sorted(set(codes))
    if not ordered:
        return
    if is_postgres(conn):
        await _execute(conn, _PG_SKUS, ordered, timezone.now())
    else:
        at = timezone.now()
        await conn.execute_many(_LITE_SKUS, [[code, at] for code in ordered])


async def lock_or_create(conn: Any, keys: Collection[Key],
                         also_skus: Collection[str] = ()) -> dict[Key, Level]:
    """Lock the positions of `keys` (and every position of `also_skus`) in (sku, node)
    order, create those missing, and return the levels of `keys`.

    Rows this transaction creates are invisible to others until it commits, so they need
    no lock; one that another transaction created meanwhile (the insert waited for it and
    skipped it) is locked in a last, rare pass."""
    ordered = sorted(set(keys))
    if not ordered:
        return {}
    if not is_postgres(conn):
        return await _lite_lock_or_create(conn, ordered)
    columns = [k[0] for k in ordered], [k[1] for k in ordered]
    if also_skus:
        rows = await _fetch(conn, _PG_LOCK_WITH_SKUS, *columns, sorted(set(also_skus)))
    else:
        rows = await _fetch(conn, _PG_LOCK, *columns)
    wanted = set(ordered)
    levels = {(r[0], r[1]): Level(*r) for r in rows if (r[0], r[1]) in wanted}
    missing = [k for k in ordered if k not in levels]
    if not missing:
        return levels
    made = await _fetch(conn, _PG_CREATE, [k[0] for k in missing], [k[1] for k in missing],
                        timezone.now())
    levels.update({(r[0], r[1]): Level(r[0], r[1], 0, 0, 0) for r in made})
    raced = [k for k in missing if k not in levels]
    if raced:
        rows = await _fetch(conn, _PG_LOCK, [k[0] for k in raced], [k[1] for k in raced])
        levels.update({(r[0], r[1]): Level(*r) for r in rows})
    return levels


async def _lite_lock_or_create(conn: Any, ordered: list[Key]) -> dict[Key, Level]:
    await conn.execute_many(_LITE_MISSING, [[s, n, timezone.now()] for s, n in ordered])
    rows = await _fetch(conn, _LITE_READ, json.dumps(ordered))
    return {(r[0], r[1]): Level(*r) for r in rows}


async def write_levels(conn: Any, levels: Sequence[Level]) -> None:
    """Store the on-hand, safety stock and inbound of `levels` (rows locked by `lock_or_create`)."""
    if not levels:
        return
    at = timezone.now()
    if is_postgres(conn):
        columns = [list(col) for col in zip(*[(lv.sku, lv.node_id, lv.on_hand, lv.safety_stock,
                                               lv.inbound) for lv in levels], strict=True)]
        await _execute(conn, _PG_WRITE, *columns, at)
        return
    await conn.execute_many(_LITE_WRITE, [[lv.on_hand, lv.safety_stock, lv.inbound, at, lv.sku, lv.node_id]
                                          for lv in levels])


class Policy(NamedTuple):
    """A position's reorder policy (`oms.reorder`)."""

    sku: str
    node_id: int
    reorder_point: int
    target_level: int
    lead_time_days: float


async def write_policies(conn: Any, policies: Sequence[Policy]) -> None:
    """Store the reorder policies of positions (rows locked by `lock_or_create`)."""
    if not policies:
        return
    if is_postgres(conn):
        await _execute(conn, _PG_POLICIES, *[list(col) for col in zip(*policies, strict=True)])
        return
    await conn.execute_many(_LITE_POLICIES, [[p.reorder_point, p.target_level, p.lead_time_days,
                                              p.sku, p.node_id] for p in policies])


async def _execute(conn: Any, sql: str, *args: Any) -> None:
    async with conn.acquire_connection() as raw:
        await raw.execute(sql, *args)


async def _fetch(conn: Any, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    if is_postgres(conn):
        async with conn.acquire_connection() as raw:
            return [tuple(r) for r in await raw.fetch(sql, *args)]
    _, rows = await conn.execute_query(sql, list(args))
    return [tuple(r) for r in rows]


__all__ = ["Key", "Level", "Policy", "ensure_skus", "lock_or_create", "write_levels",
           "write_policies"]
