"""What each channel may promise: node stock seen through the channel's rules.

Per node: available = max(0, onHand - reserved - safetyStock), less holds that
expired but were not swept yet. The channel sees nothing from inactive nodes,
excluded nodes, or node types it does not sell from; of the rest it may promise
floor((available - buffer) * allocationPercent / 100), never below zero.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from oms.clock import now
from oms.enums import DeliveryMethod, ReservationStatus
from oms.models import Channel, InventoryPosition, Node, ReservationLine
from oms.sourcing.geo import distance_km, resolve_point


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


def node_available(pos: InventoryPosition, expired_holds: int = 0) -> int:
    """The contract's InventoryPosition.available, less holds already expired."""
    return max(0, pos.on_hand - (pos.reserved - expired_holds) - pos.safety_stock)


def channel_sees(channel: Channel, node: Node, method: DeliveryMethod | None = None) -> bool:
    if not (channel.active and node.active):
        return False
    if node.code in channel.excluded_node_codes:
        return False
    if channel.node_types and str(node.type) not in channel.node_types:
        return False
    if method is DeliveryMethod.SHIP_TO_ADDRESS:
        return node.can_ship
    if method is DeliveryMethod.PICKUP_IN_STORE:
        return node.can_pickup
    return True


def channel_share(channel: Channel, available: int) -> int:
    """Units of a node's `available` this channel may promise (buffer, then percent)."""
    return max(0, (available - channel.buffer) * channel.allocation_percent // 100)


async def expired_holds(skus: Iterable[str]) -> dict[tuple[str, int], int]:
    """Units still counted as reserved by cart holds that have already expired."""
    rows = await ReservationLine.filter(
        sku__in=set(skus),
        reservation__status=ReservationStatus.ACTIVE,
        reservation__expires_at__lte=now(),
    ).values_list("sku", "node_id", "quantity")
    held: dict[tuple[str, int], int] = defaultdict(int)
    for sku, node_id, qty in rows:
        held[(sku, node_id)] += qty
    return held


async def node_stock(skus: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
    """Per SKU: (node id, available) for every position, expired holds already given back."""
    positions = await InventoryPosition.filter(sku__in=set(skus))
    expired = await expired_holds(skus) if positions else {}
    stock: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pos in positions:
        stock[pos.sku].append((pos.node_id, node_available(pos, expired.get((pos.sku, pos.node_id), 0))))
    return stock


@dataclass(frozen=True)
class Near:
    latitude: float
    longitude: float
    radius_km: float | None = None
    limit: int | None = None


async def channel_availability(
    channel: Channel, skus: Sequence[str], nodes: dict[int, Node],
    method: DeliveryMethod | None = None, near: Near | None = None, include_empty: bool = False,
) -> list[SkuAvailable]:
    """What `channel` may promise for each SKU, in the order asked; `near` sorts and narrows byNode."""
    stock = await node_stock(skus)
    origin = resolve_point(near.latitude, near.longitude, None) if near else None
    result = []
    for sku in dict.fromkeys(skus):
        by_node = []
        for node_id, available in stock.get(sku, []):
            node = nodes[node_id]
            share = channel_share(channel, available) if channel_sees(channel, node, method) else 0
            if share or include_empty:
                km = distance_km(node.latitude, node.longitude, None, origin) if origin else None
                by_node.append(NodeAvailable(node, share, km))
        total = sum(n.available for n in by_node)
        result.append(SkuAvailable(sku, channel.code, total, _narrow(by_node, near)))
    return result


def _narrow(by_node: list[NodeAvailable], near: Near | None) -> list[NodeAvailable]:
    if near is None:
        return sorted(by_node, key=lambda n: n.node.code)
    far = float("inf")
    ranked = sorted(by_node, key=lambda n: (far if n.distance_km is None else n.distance_km,
                                            n.node.code))
    if near.radius_km is not None:
        ranked = [n for n in ranked if n.distance_km is not None and n.distance_km <= near.radius_km]
    return ranked[: near.limit] if near.limit is not None else ranked


async def channel_totals(channels: Sequence[Channel], skus: Sequence[str],
                         nodes: dict[int, Node]) -> dict[tuple[str, str], int]:
    """Promisable total per (channel code, SKU), for many channels from one stock read.

    The same figure `channel_availability` reports as `available` (any delivery method).
    """
    stock = await node_stock(skus)
    totals: dict[tuple[str, str], int] = {}
    for channel in channels:
        for sku in skus:
            totals[(channel.code, sku)] = sum(
                channel_share(channel, available)
                for node_id, available in stock.get(sku, [])
                if node_id in nodes and channel_sees(channel, nodes[node_id])
            )
    return totals
