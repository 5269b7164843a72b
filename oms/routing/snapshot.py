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

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count

from oms.availability import channel_share, expired_holds
from oms.clock import now
from oms.enums import DeliveryMethod, FulfillmentStatus, NodeType
from oms.inventory import lock_levels
from oms.models import Channel, Fulfillment, InventoryPosition, Node
from oms.sourcing.model import ChannelView, Destination, NodeSnapshot, Rule

OPEN_FULFILLMENT = (
    FulfillmentStatus.PENDING, FulfillmentStatus.ACCEPTED, FulfillmentStatus.PICKED,
    FulfillmentStatus.PACKED, FulfillmentStatus.READY_FOR_PICKUP,
)
NODE_FIELDS = (
    "id", "code", "type", "active", "latitude", "longitude", "address", "priority", "can_ship",
    "can_pickup", "daily_capacity", "processing_time_hours", "shipping_cost_base",
    "shipping_cost_per_km",
)


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


async def promisable(channel: Channel, skus: Iterable[str], count_expired: bool = True,
                     lock: bool = False) -> dict[int, dict[str, int]]:
    """Per node id, per SKU: units `channel` may promise there now.

    `lock`: read through `inventory.lock_levels`, so the figures hold until commit.
    """
    wanted = set(skus)
    if lock:
        rows: list[Any] = await lock_levels(wanted)
    else:
        rows = await InventoryPosition.filter(sku__in=wanted).values_list(
            "node_id", "sku", "on_hand", "reserved", "safety_stock")
    expired = await expired_holds(wanted) if rows and count_expired else {}
    stock: dict[int, dict[str, int]] = defaultdict(dict)
    for node_id, sku, on_hand, reserved, safety in rows:
        held = reserved - expired.get((sku, node_id), 0)
        share = channel_share(channel, max(0, on_hand - held - safety))
        at_node = stock[node_id]
        if share:
            at_node[sku] = share
    return stock


@dataclass(frozen=True)
class Network:
    """The nodes as the engine sees them, and the database id behind each node code."""

    nodes: list[NodeSnapshot]
    ids: dict[str, int]


async def load_snapshot(channel: Channel, skus: Iterable[str], rule: Rule,
                        count_expired: bool = True, pickup_code: str | None = None,
                        lock: bool = False) -> Network:
    """The candidate nodes as the engine sees them for `skus` on `channel` under `rule`
    (`lock`: their stock rows stay locked until commit, see `promisable`)."""
    stock = await promisable(channel, skus, count_expired, lock)
    wanted = Q(id__in=list(stock)) | Q(code=pickup_code) if pickup_code else Q(id__in=list(stock))
    nodes = await Node.filter(wanted).order_by("id").values(*NODE_FIELDS) if stock or pickup_code \
        else []
    today = await _fulfillments_today(nodes) if rule.respect_capacity else {}
    backlog = await _backlog([n["id"] for n in nodes]) if rule.weights.get("backlog") > 0 else {}
    return Network(
        [_snapshot(node, stock.get(node["id"], {}), today, backlog) for node in nodes],
        {node["code"]: node["id"] for node in nodes},
    )


def _snapshot(node: dict, stock: dict[str, int], today: dict[int, int],
              backlog: dict[int, int]) -> NodeSnapshot:
    address = node["address"] or {}
    return NodeSnapshot(
        code=node["code"], type=node["type"], active=node["active"],
        latitude=node["latitude"], longitude=node["longitude"], country=address.get("country"),
        priority=node["priority"], can_ship=node["can_ship"], can_pickup=node["can_pickup"],
        daily_capacity=node["daily_capacity"], fulfillments_today=today.get(node["id"], 0),
        backlog=backlog.get(node["id"], 0),
        processing_time_hours=node["processing_time_hours"],
        cost_base=float(node["shipping_cost_base"]),
        cost_per_km=float(node["shipping_cost_per_km"]), stock=stock,
    )


async def _fulfillments_today(nodes: list[dict]) -> dict[int, int]:
    capped = [node["id"] for node in nodes if node["daily_capacity"] is not None]
    if not capped:
        return {}
    midnight = datetime.combine(now().date(), time.min, tzinfo=now().tzinfo)
    rows = await (
        Fulfillment.filter(node_id__in=capped, created_at__gte=midnight)
        .annotate(count=Count("id")).group_by("node_id").values_list("node_id", "count")
    )
    return dict(rows)


async def _backlog(node_ids: list[int]) -> dict[int, int]:
    rows = await (
        Fulfillment.filter(status__in=OPEN_FULFILLMENT, node_id__in=node_ids)
        .annotate(count=Count("id")).group_by("node_id").values_list("node_id", "count")
    )
    return dict(rows)
