"""What a what-if replay reads of the past (`oms.routing.replay`): orders with placement's
decision, positions, ledger entries and fulfillments, in plain SQL.

A replay reads tens of thousands of rows; the ORM's row decoding (timestamps above all)
would cost more than sourcing them again, so these reads decode only what is used.
"""
from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tortoise import connections

from oms.db import in_list, is_postgres, placeholders
from oms.enums import DeliveryMethod, StockBucket
from oms.sourcing import Allocation, Destination

CHUNK = 5000
"Ids or SKUs per `IN (...)` list (SQLite takes up to 32,766 parameters)."

Levels = dict[str, dict[int, int]]
"Per SKU, per node id: the units free to promise (on hand less reserved and safety stock)."
Times = dict[date, dict[int, list[datetime]]]
"Per day, per node id: moments, oldest first."
Entry = tuple[datetime, int, str, int, str, int, str | None, str]
"A ledger entry: (at, id, sku, node id, bucket, delta, reference, reason)."


@dataclass(frozen=True, slots=True)
class PastOrder:
    """A replayed order: what it asked for, and what placement gave it."""

    id: str
    at: datetime
    channel_id: int
    delivery_method: DeliveryMethod
    destination: Destination | None
    pickup_node_id: int | None
    lines: tuple[tuple[str, int], ...]
    actual: tuple[Allocation, ...]
    actual_backordered: int

    @property
    def reference(self) -> str:
        "How the ledger names the order's own stock movements."
        return f"order:{self.id}"


async def order_ids(start: datetime, end: datetime, channel_ids: Sequence[int]) -> list[str]:
    """Ids of the orders placed on `channel_ids` in [start, end), oldest first."""
    if not channel_ids:
        return []
    conn = connections.get("default")
    low, high = placeholders(conn, 2)
    match, values = in_list(conn, channel_ids, 3)
    rows = await _select(
        f'SELECT "id" FROM "order" WHERE "created_at" >= {low} AND "created_at" < {high} '
        f'AND "channel_id" {match} ORDER BY "created_at", "id"',
        [_param(conn, start), _param(conn, end), *values])
    return [str(row[0]) for row in rows]


async def past_orders(ids: Sequence[str]) -> list[PastOrder]:
    """The orders with their lines and placement's decision, oldest first."""
    conn = connections.get("default")
    lines: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    decided: dict[str, tuple[tuple[Allocation, ...], int]] = {}
    rows: list[tuple[Any, ...]] = []
    where_to = _WHERE_TO_PG if is_postgres(conn) else _WHERE_TO
    for chunk in chunks(ids):
        match, values = in_list(conn, _uuids(conn, chunk), 1)
        rows += await _select(
            f'SELECT "id", "created_at", "channel_id", "delivery_method", {where_to}, '
            f'"pickup_node_id" FROM "order" WHERE "id" {match}', values)
        for order_id, position, sku, quantity in await _select(
                f'SELECT "order_id", "position", "sku", "quantity" FROM "order_line" '
                f'WHERE "order_id" {match}', values):
            lines[str(order_id)].append((position, sku, quantity))
        decided.update(await _first_decisions(match, values))
    orders = []
    for order_id, at, channel_id, method, latitude, longitude, country, pickup in rows:
        key = str(order_id)
        asked = tuple((sku, quantity) for _, sku, quantity in sorted(lines[key]))
        actual, short = decided.get(key, ((), sum(quantity for _, quantity in asked)))
        how = DeliveryMethod(method)
        where = Destination(_number(latitude), _number(longitude), country) \
            if how is DeliveryMethod.SHIP_TO_ADDRESS else None
        orders.append(PastOrder(key, moment(at), channel_id, how, where, pickup, asked, actual,
                                short))
    orders.sort(key=lambda order: (order.at, order.id))
    return orders


_WHERE_TO = (
    'json_extract("shipping_address", \'$.location.latitude\'), '
    'json_extract("shipping_address", \'$.location.longitude\'), '
    'json_extract("shipping_address", \'$.country\')')
"""The parts of a shipping address sourcing reads (`oms.routing.snapshot.destination`), on
SQLite, then on PostgreSQL."""
_WHERE_TO_PG = (
    '"shipping_address"->\'location\'->>\'latitude\', '
    '"shipping_address"->\'location\'->>\'longitude\', "shipping_address"->>\'country\'')


async def _first_decisions(match: str, values: list[Any]
                           ) -> dict[str, tuple[tuple[Allocation, ...], int]]:
    """Per order, placement's allocations and backordered units: only those parts of the
    JSON are read (a decision's candidates can list a thousand nodes)."""
    if is_postgres(connections.get("default")):
        parts = 'jsonb_build_array("decision"->\'allocations\', "decision"->\'backordered\')'
    else:  # one parse of the JSON for both parts
        parts = 'json_extract("decision", \'$.allocations\', \'$.backordered\')'
    rows = await _select(
        f'SELECT "order_id", {parts} FROM "sourcing_decision" WHERE "id" IN (SELECT MIN("id") '
        f'FROM "sourcing_decision" WHERE "order_id" {match} GROUP BY "order_id")', values)
    found = {}
    for order_id, both in rows:
        allocations, backordered = _json(both, [[], []])
        picks = tuple(Allocation(p["node_code"], p["sku"], p["quantity"])
                      for p in allocations or ())
        found[str(order_id)] = (picks, sum(b["quantity"] for b in backordered or ()))
    return found


async def positions(skus: Sequence[str]) -> Levels:
    """Today's free units per position of `skus` (may be negative: oversold by a sync)."""
    conn = connections.get("default")
    levels: Levels = defaultdict(dict)
    for chunk in chunks(skus):
        match, values = in_list(conn, chunk, 1)
        for node_id, sku, free in await _select(
                'SELECT "node_id", "sku", "on_hand" - "reserved" - "safety_stock" '
                f'FROM "inventory_position" WHERE "sku" {match}', values):
            levels[sku][node_id] = free
    return levels


async def entries_since(start: datetime, skus: Sequence[str]) -> list[Entry]:
    """The on-hand and reserved ledger entries of `skus` from `start` on, oldest first."""
    conn = connections.get("default")
    entries: list[Entry] = []
    since, on_hand, reserved = placeholders(conn, 3)
    for chunk in chunks(skus):
        match, values = in_list(conn, chunk, 4)
        rows = await _select(
            'SELECT "at", "id", "sku", "node_id", "bucket", "delta", "reference", "reason" '
            f'FROM "stock_ledger" WHERE "at" >= {since} AND "bucket" IN ({on_hand}, {reserved}) '
            f'AND "sku" {match}',
            [_param(conn, start), StockBucket.ON_HAND.value, StockBucket.RESERVED.value, *values])
        entries += [(moment(at), *rest) for at, *rest in rows]
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return entries


async def fulfillment_times(node_ids: Sequence[int], start: datetime, end: datetime,
                            skipped: set[str]) -> Times:
    """When the fulfillments at `node_ids` created in [start, end) were created, per day and
    node, oldest first, but those of the orders `skipped`."""
    if not node_ids:
        return {}
    conn = connections.get("default")
    low, high = placeholders(conn, 2)
    match, values = in_list(conn, node_ids, 3)
    found: Times = defaultdict(lambda: defaultdict(list))
    for node_id, order_id, at in await _select(
            f'SELECT "node_id", "order_id", "created_at" FROM "fulfillment" WHERE "created_at" '
            f'>= {low} AND "created_at" < {high} AND "node_id" {match}',
            [_param(conn, start), _param(conn, end), *values]):
        if str(order_id) not in skipped:
            when = moment(at)
            found[when.date()][node_id].append(when)
    for at_nodes in found.values():
        for times in at_nodes.values():
            times.sort()
    return found


def chunks(items: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield list(items[start:start + CHUNK])


async def _select(sql: str, values: list[Any]) -> list[Any]:
    """The rows as the driver hands them back (sqlite3.Row, asyncpg Record: both unpack)."""
    _, rows = await connections.get("default").execute_query(sql, values)
    return list(rows)


def moment(value: datetime | str) -> datetime:
    """A stored timestamp as an aware datetime (SQLite hands back text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _param(conn: Any, value: datetime) -> Any:
    """A timestamp as `conn` compares it: SQLite keeps UTC text, as the ORM writes it."""
    return value if is_postgres(conn) else value.astimezone(UTC).isoformat(" ")


def _uuids(conn: Any, ids: Sequence[str]) -> list[Any]:
    """Order ids as `conn` stores them (PostgreSQL: uuid; SQLite: text)."""
    if is_postgres(conn):
        return [uuid.UUID(value) for value in ids]
    return list(ids)


def _number(value: Any) -> float | None:
    """A coordinate read out of JSON (PostgreSQL's ->> hands back text)."""
    return None if value is None else float(value)


def _json(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str | bytes) else value
