"""The engine's view of the network for one order: every node, with what the channel may promise.

Stock per node is the channel-promisable amount (`oms.availability`): on-hand less
reserved, safety stock and holds already expired, then the channel's buffer and
share. Visibility (excluded nodes, node types, inactive nodes) is left to the
engine so that each exclusion is explained in the decision.

The candidates are the nodes holding a stock position for any SKU of the order
(plus the pickup node): a node that never stocked them has nothing to explain,
and a retailer's hundreds of nodes would otherwise be screened on every order.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from tortoise import connections
from tortoise.functions import Count

from oms.availability import channel_share, expired_holds
from oms.clock import now
from oms.db import is_postgres, placeholders
from oms.enums import DeliveryMethod, NodeType, ReservationStatus
from oms.fulfillment.backlog import backlog_by_node
from oms.inventory import Release
from oms.models import Channel, Fulfillment, InventoryPosition, Node
from oms.sourcing.model import ChannelView, Destination, NodeSnapshot, Rule

NODE_FIELDS = (
    "code", "type", "active", "latitude", "longitude", "address", "priority", "can_ship",
    "can_pickup", "daily_capacity", "processing_time_hours", "shipping_cost_base",
    "shipping_cost_per_km",
)
DAILY_CAPACITY = NODE_FIELDS.index("daily_capacity")


def channel_view(channel: Channel) -> ChannelView:
    """What the engine needs of a channel."""
    return ChannelView(channel.code, frozenset(channel.excluded_node_codes),
                       frozenset(NodeType(t) for t in channel.node_types))


def destination(method: DeliveryMethod, address: dict[str, Any] | None) -> Destination | None:
    """Where a ship-to-address order goes (coordinates, else its country); None for pickup."""
    if method is not DeliveryMethod.SHIP_TO_ADDRESS:
        return None
    address = address or {}
    location = address.get("location") or {}
    return Destination(location.get("latitude"), location.get("longitude"), address.get("country"))


async def promisable(channel: Channel, skus: Iterable[str]) -> dict[int, dict[str, int]]:
    """Per node id, per SKU: units `channel` may promise there now (expired holds not counted)."""
    wanted = set(skus)
    rows = await InventoryPosition.filter(sku__in=wanted).values_list(
        "node_id", "sku", "on_hand", "reserved", "safety_stock")
    expired = await expired_holds(wanted) if rows else {}
    stock: dict[int, dict[str, int]] = defaultdict(dict)
    for node_id, sku, on_hand, reserved, safety in rows:
        _count(stock[node_id], channel, sku, on_hand, reserved - expired.get((sku, node_id), 0),
               safety)
    return stock


def _count(at_node: dict[str, int], channel: Channel, sku: str, on_hand: int, reserved: int,
           safety: int) -> None:
    share = channel_share(channel, max(0, on_hand - reserved - safety))
    if share:
        at_node[sku] = share


@dataclass(frozen=True)
class Network:
    """The nodes as the engine sees them, and the database id behind each node code.

    `expired`: cart holds of these SKUs expired but not swept yet still count as reserved
    (the caller expires them and reads again, see `oms.orders.allocate`).
    """

    nodes: list[NodeSnapshot]
    ids: dict[str, int]
    expired: bool = False


async def load_snapshot(channel: Channel, skus: Iterable[str], rule: Rule,
                        pickup_code: str | None = None, freed: Sequence[Release] = (),
                        count_expired: bool = False) -> Network:
    """The candidate nodes as the engine sees them for `skus` on `channel` under `rule`.

    Plain reads, no row lock: holds are taken afterwards with conditional updates that
    re-check every figure. `freed`: reserved units about to be given back in the same
    holding pass (a consumed or expired cart hold) count as free already. `count_expired`:
    expired, unswept cart holds count as free too (a read-only decision).
    """
    wanted = sorted(set(skus))
    rows, expired = await _positions(wanted)
    back: dict[tuple[str, int], int] = defaultdict(int)
    for release in freed:
        back[(release.sku, release.node_id)] += release.quantity
    if expired and count_expired:
        for key, units in (await expired_holds(wanted)).items():
            back[key] += units
    stock: dict[int, dict[str, int]] = defaultdict(dict)
    nodes: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        node_id, sku, on_hand, reserved, safety = row[:5]
        nodes[node_id] = row[5:]
        _count(stock[node_id], channel, sku, on_hand, reserved - back.get((sku, node_id), 0),
               safety)
    if pickup_code and all(node[0] != pickup_code for node in nodes.values()):
        nodes.update(await _node_by_code(pickup_code))
    ids = sorted(nodes)
    today = await _fulfillments_today(nodes) if rule.respect_capacity else {}
    backlog = await backlog_by_node(ids) if rule.weights.get("backlog") > 0 else {}
    return Network(
        [_snapshot(node_id, nodes[node_id], stock.get(node_id, {}), today, backlog)
         for node_id in ids],
        {nodes[node_id][0]: node_id for node_id in ids},
        expired and not count_expired,
    )


_POSITIONS = (
    'SELECT p."node_id", p."sku", p."on_hand", p."reserved", p."safety_stock", '
    + ", ".join(f'n."{f}"' for f in NODE_FIELDS)
    + ', EXISTS (SELECT 1 FROM "reservation" r '
    'JOIN "reservation_line" l ON l."reservation_id" = r."id" WHERE r."status" = {status} '
    'AND r."expires_at" <= {moment} AND l."sku" {match}) AS "expired" '
    'FROM "inventory_position" p JOIN "node" n ON n."id" = p."node_id" WHERE p."sku" {match}'
)
"The snapshot's one statement (SQL text stable per dialect, so PostgreSQL keeps it prepared)."


async def _positions(skus: list[str]) -> tuple[list[tuple[Any, ...]], bool]:
    """Every position of `skus` with its node's fields (one statement, no lock), and whether
    any live cart hold of theirs has expired."""
    if not skus:
        return [], False
    conn = connections.get("default")
    status, moment = placeholders(conn, 2)
    if is_postgres(conn):
        sql = _POSITIONS.format(status=status, moment=moment, match="= ANY($3)")
        values: list[Any] = [ReservationStatus.ACTIVE.value, now(), skus]
    else:
        marks = f"IN ({', '.join('?' * len(skus))})"
        sql = _POSITIONS.format(status=status, moment=moment, match=marks)
        values = [ReservationStatus.ACTIVE.value, now(), *skus, *skus]
    _, rows = await conn.execute_query(sql, values)
    found = [tuple(row) for row in rows]
    return [row[:-1] for row in found], bool(found and found[0][-1])


async def _node_by_code(code: str) -> dict[int, tuple[Any, ...]]:
    rows = await Node.filter(code=code).values_list("id", *NODE_FIELDS)
    return {row[0]: tuple(row[1:]) for row in rows}


def _snapshot(node_id: int, node: tuple[Any, ...], stock: dict[str, int], today: dict[int, int],
              backlog: dict[int, int]) -> NodeSnapshot:
    head, tail = fixed_fields(node)
    return NodeSnapshot(*head, today.get(node_id, 0), backlog.get(node_id, 0), *tail, stock)  # type: ignore[call-arg]  # fields in order


Fixed = tuple[tuple[Any, ...], tuple[float, float, float]]
"NodeSnapshot's fields before fulfillments_today and backlog, and those after (but stock)."
_FIXED: dict[tuple[Any, ...], Fixed] = {}
_FIXED_MAX = 10_000


def fixed_fields(node: tuple[Any, ...]) -> Fixed:
    """A node row's unchanging part as NodeSnapshot's leading fields. An order over 200 nodes
    decodes the same rows every time, so each distinct row is decoded once per process."""
    try:
        found = _FIXED.get(node)
    except TypeError:  # SQLite hands the address back as a dict: nothing to key by
        return _decode(node)
    if found is None:
        if len(_FIXED) >= _FIXED_MAX:
            _FIXED.clear()
        found = _FIXED[node] = _decode(node)
    return found


def _decode(node: tuple[Any, ...]) -> Fixed:
    (code, type_, active, latitude, longitude, address, priority, can_ship, can_pickup,
     daily_capacity, processing_time_hours, cost_base, cost_per_km) = node
    if isinstance(address, str):
        address = json.loads(address)
    return ((code, NodeType(type_), bool(active), latitude, longitude,
             (address or {}).get("country"), priority, bool(can_ship), bool(can_pickup),
             daily_capacity),
            (processing_time_hours, float(cost_base), float(cost_per_km)))


async def _fulfillments_today(nodes: dict[int, tuple[Any, ...]]) -> dict[int, int]:
    capped = [node_id for node_id, node in nodes.items() if node[DAILY_CAPACITY] is not None]
    if not capped:
        return {}
    midnight = datetime.combine(now().date(), time.min, tzinfo=now().tzinfo)
    rows = await (
        Fulfillment.filter(node_id__in=capped, created_at__gte=midnight)
        .annotate(count=Count("id")).group_by("node_id").values_list("node_id", "count")
    )
    return dict(rows)
