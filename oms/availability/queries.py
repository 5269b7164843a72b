"""Reading what channels may promise: totals from the read model, per node when asked.

Totals come from `channel_stock` (one value query), corrected for cart holds that
expired but were not swept yet, so those stop counting at once. Per-node figures
(`byNode`) are computed from the positions only when a caller asks for them, and
with `near` + `limit` only for the nearest nodes that can still answer.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tortoise import connections

from oms.availability import read_model
from oms.availability.rules import ChannelRules, channel_sees, channel_share
from oms.clock import now
from oms.db import in_list, placeholders
from oms.enums import DeliveryMethod, ReservationStatus
from oms.errors import ErrorCode, Problems
from oms.models import Node
from oms.sourcing.geo import distance_km, resolve_point

Key = tuple[str, int]  # (sku, node id)
MAX_RADIUS_KM = 20_000
MAX_NEAREST = 500
NEAREST_EXTRA = 3
"""With `near` + `limit`: positions are read for the `limit` + this many nearest nodes, then
for as many again where a SKU still has fewer than `limit` nodes to show."""

MAX_PROMISE = 2**31 - 1
"""The most a channel promises of one SKU at once (a 32-bit integer): its total over many
nodes can be larger; promising less than there is never oversells."""


@dataclass(frozen=True)
class NodeAvailable:
    node: Node
    available: int
    distance_km: float | None = None


@dataclass(frozen=True)
class SkuAvailable:
    sku: str
    channel: str
    available: int
    by_node: list[NodeAvailable]


@dataclass(frozen=True)
class Near:
    latitude: float
    longitude: float
    radius_km: float | None = None
    limit: int | None = None

    def check(self) -> None:
        """BAD_USER_INPUT for a point off the Earth, a negative radius, or a limit below 1."""
        problems = Problems()
        if not (-90 <= self.latitude <= 90 and -180 <= self.longitude <= 180):
            problems.add(ErrorCode.BAD_USER_INPUT, f"({self.latitude}, {self.longitude}) is not "
                         "on Earth: latitude -90..90, longitude -180..180", "near")
        if self.radius_km is not None and not 0 <= self.radius_km <= MAX_RADIUS_KM:
            problems.add(ErrorCode.BAD_USER_INPUT, f"radiusKm must be 0..{MAX_RADIUS_KM}",
                         "radiusKm")
        if self.limit is not None and not 1 <= self.limit <= MAX_NEAREST:
            problems.add(ErrorCode.BAD_USER_INPUT, f"limit must be 1..{MAX_NEAREST}", "limit")
        problems.raise_if_any()


class ChannelLike(ChannelRules, Protocol):
    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...


async def expired_holds(skus: Iterable[str], at: datetime | None = None) -> dict[Key, int]:
    """Units still counted as reserved by cart holds of `skus` that have already expired."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    conn = connections.get("default")
    status, moment = placeholders(conn, 2)
    match, values = in_list(conn, wanted, 3)
    rows = await conn.execute_query_dict(
        'SELECT l."sku", l."node_id", SUM(l."quantity") AS held FROM "reservation" r '
        'JOIN "reservation_line" l ON l."reservation_id" = r."id" '
        f'WHERE r."status" = {status} AND r."expires_at" <= {moment} AND l."sku" {match} '
        'GROUP BY l."sku", l."node_id"',
        [ReservationStatus.ACTIVE.value, at or now(), *values])
    return {(r["sku"], r["node_id"]): int(r["held"]) for r in rows}


async def position_levels(skus: Iterable[str], node_ids: Iterable[int] | None = None
                          ) -> list[tuple[str, int, int]]:
    """(sku, node id, on_hand - reserved - safety_stock) of the positions of `skus` (at
    `node_ids`): the node-level available before it is floored at zero."""
    wanted = sorted(set(skus))
    if not wanted:
        return []
    conn = connections.get("default")
    match, values = in_list(conn, wanted, 1)
    sql = ('SELECT "sku", "node_id", "on_hand", "reserved", "safety_stock" '
           f'FROM "inventory_position" WHERE "sku" {match}')
    if node_ids is not None:
        ids = sorted(set(node_ids))
        sql += f' AND "node_id" IN ({", ".join(str(int(i)) for i in ids) or "NULL"})'
    rows = await conn.execute_query(sql, values)
    return [(r[0], r[1], r[2] - r[3] - r[4]) for r in rows[1]]


async def channel_totals(channels: Sequence[ChannelLike], skus: Sequence[str],
                         method: DeliveryMethod | None = None) -> dict[tuple[str, str], int]:
    """Promisable total per (channel code, SKU), for many channels at once (read model)."""
    asked = sorted(set(skus))
    if not channels or not asked:
        return {}
    conn = connections.get("default")
    col = read_model.column(method)
    by_id = {c.id: c for c in channels}
    match, values = in_list(conn, asked, 1)
    rows = await conn.execute_query(
        f'SELECT "channel_id", "sku", "{col}" FROM "channel_stock" WHERE "sku" {match} '
        f'AND "channel_id" IN ({", ".join(str(int(i)) for i in by_id)})', values)
    totals = {(c.code, sku): 0 for c in channels for sku in asked}
    for channel_id, sku, total in rows[1]:
        totals[(by_id[channel_id].code, sku)] = total
    for key, extra in (await _expired_corrections(channels, asked, method)).items():
        totals[key] += extra
    return {key: min(total, MAX_PROMISE) for key, total in totals.items()}


async def _expired_corrections(channels: Sequence[ChannelLike], skus: Sequence[str],
                               method: DeliveryMethod | None) -> dict[tuple[str, str], int]:
    """What each total gains once holds that expired unswept stop counting."""
    expired = await expired_holds(skus)
    if not expired:
        return {}
    conn = connections.get("default")
    nodes = await read_model.load_nodes(conn, {node_id for _, node_id in expired})
    levels = await position_levels({sku for sku, _ in expired}, nodes)
    gains: dict[tuple[str, str], int] = defaultdict(int)
    for sku, node_id, free in levels:
        held = expired.get((sku, node_id))
        if not held:
            continue
        for channel in channels:
            if channel_sees(channel, nodes[node_id], method):
                freed = (channel_share(channel, max(0, free + held))
                         - channel_share(channel, max(0, free)))
                gains[(channel.code, sku)] += freed
    return gains


async def channel_availability(
    code: str, skus: Sequence[str], method: DeliveryMethod | None = None,
    near: Near | None = None, include_empty: bool = False, with_nodes: bool = True,
    nodes: dict[int, Node] | None = None,
) -> list[SkuAvailable] | None:
    """What channel `code` may promise for each SKU, in the order asked (None: no such
    channel). Per node only with `with_nodes` (`nodes`: every node by id); `near` sorts
    and narrows byNode."""
    if near is not None:
        near.check()
    asked = list(dict.fromkeys(skus))
    conn = connections.get("default")
    channel, totals, expired = await read_model.channel_with_totals(conn, code, asked, method)
    if channel is None:
        return None
    if expired:
        for (_, sku), extra in (await _expired_corrections([channel], asked, method)).items():
            totals[sku] = totals.get(sku, 0) + extra
    by_node: dict[str, list[NodeAvailable]] = {}
    if with_nodes:
        by_node = await _by_node(channel, asked, method, near, include_empty, nodes or {},
                                 expired)
    return [SkuAvailable(sku, code, min(totals.get(sku, 0), MAX_PROMISE), by_node.get(sku, []))
            for sku in asked]


async def _by_node(channel: ChannelLike, skus: list[str], method: DeliveryMethod | None,
                   near: Near | None, include_empty: bool, nodes: dict[int, Node],
                   any_expired: bool) -> dict[str, list[NodeAvailable]]:
    ranked = _ranked(channel, nodes, method, near, include_empty)
    expired = await expired_holds(skus) if any_expired else {}
    wanted = near.limit if near is not None else None
    found: dict[str, list[NodeAvailable]] = defaultdict(list)
    pending, start = set(skus), 0
    while pending and start < len(ranked):
        step = len(ranked) if wanted is None else wanted + NEAREST_EXTRA
        chunk = ranked[start:start + step]
        start += step
        place = {n.node.id: (rank, n) for rank, n in enumerate(chunk)}
        rows = await position_levels(pending, place)
        rows.sort(key=lambda r: (r[0], place[r[1]][0]))
        for sku, node_id, free in rows:
            at = place[node_id][1]
            counted = max(0, free + expired.get((sku, node_id), 0))
            share = channel_share(channel, counted) if at.available else 0
            if share or include_empty:
                found[sku].append(NodeAvailable(at.node, share, at.distance_km))
        if wanted is not None:
            pending = {sku for sku in pending if len(found[sku]) < wanted}
    return {sku: at[:wanted] if wanted is not None else at for sku, at in found.items()}


def _ranked(channel: ChannelLike, nodes: dict[int, Node], method: DeliveryMethod | None,
            near: Near | None, include_empty: bool) -> list[NodeAvailable]:
    """The nodes byNode may list, in the order it lists them (distance, else code);
    `available` is 1 where the channel sees the node, else 0."""
    origin = resolve_point(near.latitude, near.longitude, None) if near else None
    places = []
    for node in nodes.values():
        sees = channel_sees(channel, node, method)
        if sees or include_empty:
            km = distance_km(node.latitude, node.longitude, None, origin) if origin else None
            places.append(NodeAvailable(node, int(sees), km))
    if near is not None and near.radius_km is not None:
        places = [p for p in places if p.distance_km is not None
                  and p.distance_km <= near.radius_km]
    places.sort(key=_order)
    return places


def _order(place: NodeAvailable) -> tuple[float, str]:
    far = float("inf")
    return (far if place.distance_km is None else place.distance_km, place.node.code)
