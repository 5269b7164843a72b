"""Fulfillment nodes and sales channels: upserts with validation, and look-ups by code.

A node-limited token changes only its nodes, and creates none; a channel-limited one changes
only its channels, and creates none (each limit binds its own kind only)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from tortoise import connections

from oms.availability import read_model
from oms.availability.rules import channel_sees
from oms.enums import ChannelType, NodeType
from oms.errors import ErrorCode, Problems
from oms.models import Channel, Node
from oms.notifications.language import LANGUAGES
from oms.text import check_length, fits, fitting
from oms.uow import UnitOfWork

if TYPE_CHECKING:
    from oms.auth import Principal

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
MAX_WINDOW = 3650
"The longest return window a channel may give (days)."


@dataclass(frozen=True)
class NodeSpec:
    code: str
    name: str
    type: NodeType
    active: bool = True
    address: dict[str, Any] | None = None
    latitude: float | None = None
    longitude: float | None = None
    priority: int = 100
    can_ship: bool = True
    can_pickup: bool = False
    daily_capacity: int | None = None
    processing_time_hours: float = 24.0


@dataclass(frozen=True)
class ChannelSpec:
    code: str
    name: str
    type: ChannelType
    currency: str
    active: bool = True
    buffer: int = 0
    excluded_node_codes: list[str] = field(default_factory=list)
    node_types: list[NodeType] = field(default_factory=list)
    allocation_percent: int = 100
    language: str | None = None
    return_window_days: int | None = None


def check_coordinates(problems: Problems, lat: float | None, lon: float | None, *path: str) -> None:
    if (lat is None) != (lon is None):
        problems.add(ErrorCode.INVALID_COORDINATES, "give both latitude and longitude", *path)
    elif lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        problems.add(
            ErrorCode.INVALID_COORDINATES,
            f"({lat}, {lon}) is not on Earth: latitude -90..90, longitude -180..180",
            *path,
        )


def _check_node(spec: NodeSpec, writer: Principal | None, exists: bool) -> None:
    problems = Problems()
    if writer is not None and writer.nodes and not (exists and writer.sees_node(spec.code)):
        problems.add(ErrorCode.NODE_NOT_ALLOWED, f"this token may not change node {spec.code}"
                     if exists else "a node-limited token may not create nodes", "code")
    if not CODE_PATTERN.match(spec.code):
        problems.add(ErrorCode.INVALID_INPUT, "code: letters, digits, _ . : - (max 64)", "code")
    if not spec.name.strip():
        problems.add(ErrorCode.INVALID_INPUT, "name must not be empty", "name")
    check_length(problems, spec.name.strip(), Node, "name", "name")
    check_coordinates(problems, spec.latitude, spec.longitude, "location")
    if spec.address:
        loc = spec.address.get("location") or {}
        check_coordinates(
            problems, loc.get("latitude"), loc.get("longitude"), "address", "location"
        )
    if spec.daily_capacity is not None and spec.daily_capacity < 0:
        problems.add(ErrorCode.NEGATIVE_QUANTITY, "dailyCapacity must be >= 0", "dailyCapacity")
    if spec.processing_time_hours < 0:
        problems.add(ErrorCode.INVALID_INPUT, "processingTimeHours must be >= 0",
                     "processingTimeHours")
    problems.raise_if_any()


async def upsert_node(uow: UnitOfWork, writer: Principal | None, spec: NodeSpec) -> Node:
    """Create or update the node with this code, within the writer's node limits (None: the
    operator)."""
    before = await get_node(spec.code)
    _check_node(spec, writer, before is not None)
    lat, lon = spec.latitude, spec.longitude
    if lat is None and spec.address and spec.address.get("location"):
        lat, lon = spec.address["location"]["latitude"], spec.address["location"]["longitude"]
    values = dict(
        name=spec.name.strip(), type=spec.type, active=spec.active, address=spec.address,
        latitude=lat, longitude=lon, priority=spec.priority, can_ship=spec.can_ship,
        can_pickup=spec.can_pickup, daily_capacity=spec.daily_capacity,
        processing_time_hours=spec.processing_time_hours,
    )
    node, _ = await Node.update_or_create(defaults=values, code=spec.code)
    if before is not None and _visibility(before) != _visibility(node):
        await read_model.rebuild()
    uow.record("node.changed", {"code": spec.code})
    return node


def _visibility(node: Node) -> tuple[object, ...]:
    """What decides which channels see a node's stock (see `oms.availability.rules`)."""
    return (str(node.type), node.active, node.can_ship, node.can_pickup)


async def _check_channel(spec: ChannelSpec, writer: Principal | None, exists: bool) -> None:
    problems = Problems()
    if writer is not None and writer.channels and not (exists and writer.sees_channel(spec.code)):
        # Another channel, or a new one, reads as one that does not exist: nothing to probe.
        problems.add(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {spec.code!r}", "code")
    if not CODE_PATTERN.match(spec.code):
        problems.add(ErrorCode.INVALID_INPUT, "code: letters, digits, _ . : - (max 64)", "code")
    if not spec.name.strip():
        problems.add(ErrorCode.INVALID_INPUT, "name must not be empty", "name")
    check_length(problems, spec.name.strip(), Channel, "name", "name")
    if not CURRENCY_PATTERN.match(spec.currency):
        problems.add(ErrorCode.INVALID_INPUT, "currency: ISO-4217 code, e.g. EUR", "currency")
    if spec.buffer < 0:
        problems.add(ErrorCode.NEGATIVE_QUANTITY, "buffer must be >= 0", "buffer")
    if not 0 <= spec.allocation_percent <= 100:
        problems.add(ErrorCode.INVALID_PERCENT, "allocationPercent must be 0-100",
                     "allocationPercent")
    await check_node_codes(problems, spec.excluded_node_codes, "excludedNodeCodes")
    if spec.language is not None and spec.language not in LANGUAGES:
        problems.add(ErrorCode.INVALID_INPUT, f"language: one of {', '.join(LANGUAGES)}",
                     "language")
    if spec.return_window_days is not None and not 0 <= spec.return_window_days <= MAX_WINDOW:
        problems.add(ErrorCode.INVALID_INPUT, f"returnWindowDays must be 0..{MAX_WINDOW}",
                     "returnWindowDays")
    problems.raise_if_any()


async def upsert_channel(uow: UnitOfWork, writer: Principal | None, spec: ChannelSpec) -> Channel:
    """Create or update the channel with this code, within the writer's channel limits (None:
    the operator). Its availability view changes at once."""
    channel = await get_channel(spec.code)
    await _check_channel(spec, writer, channel is not None)
    values: dict[str, Any] = dict(
        name=spec.name.strip(), type=spec.type, currency=spec.currency, active=spec.active,
        buffer=spec.buffer, excluded_node_codes=sorted(set(spec.excluded_node_codes)),
        node_types=sorted({str(t) for t in spec.node_types}),
        allocation_percent=spec.allocation_percent, language=spec.language,
        return_window_days=spec.return_window_days,
    )
    if channel is None:
        channel = await Channel.create(code=spec.code, order_prefix=_prefix(spec.code), **values)
    else:
        await channel.update_from_dict(values).save()
    await read_model.rebuild([channel.id])
    uow.record("channel.changed", {"code": spec.code})
    return channel


async def check_channel_codes(problems: Problems, codes: list[str], *path: str,
                              within: Principal | None = None) -> None:
    """An UNKNOWN_CHANNEL problem for each code that names no channel, or one outside the
    limits of `within` (the two alike: nothing to probe), at path + index."""
    known = set(cast(list[str], await Channel.filter(code__in=fitting(codes, Channel, "code"))
                     .values_list("code", flat=True)))
    for i, code in enumerate(codes):
        if code not in known or (within is not None and not within.sees_channel(code)):
            problems.add(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {code!r}", *path, i)


async def check_node_codes(problems: Problems, codes: list[str], *path: str) -> None:
    """An UNKNOWN_NODE problem for each code that names no node, at path + index."""
    known = set(cast(list[str], await Node.filter(code__in=fitting(codes, Node, "code"))
                     .values_list("code", flat=True)))
    for i, code in enumerate(codes):
        if code not in known:
            problems.add(ErrorCode.UNKNOWN_NODE, f"unknown node {code!r}", *path, i)


def _prefix(code: str) -> str:
    letters = re.sub(r"[^A-Za-z0-9]", "", code).upper()
    return (letters or "ORD")[:8]


async def list_nodes(type: NodeType | None = None, active: bool | None = None) -> list[Node]:
    query = Node.all()
    if type is not None:
        query = query.filter(type=type)
    if active is not None:
        query = query.filter(active=active)
    return await query.order_by("code")


async def list_channels() -> list[Channel]:
    return await Channel.all().order_by("code")


async def get_node(code: str) -> Node | None:
    """The node with this code, if any."""
    return await Node.get_or_none(code=code) if fits(code, Node, "code") else None


async def get_channel(code: str) -> Channel | None:
    """The channel with this code, if any."""
    return await Channel.get_or_none(code=code) if fits(code, Channel, "code") else None


_nodes: tuple[tuple[Any, ...], dict[int, Node]] | None = None


async def nodes_by_id() -> dict[int, Node]:
    """Every node, by id (a retailer has hundreds, not millions): a per-process copy,
    read again whenever a node was added or changed (one small query tells)."""
    global _nodes
    version = await _nodes_version()
    if _nodes is None or _nodes[0] != version:
        _nodes = (version, {n.id: n for n in await Node.all()})
    return _nodes[1]


async def _nodes_version() -> tuple[Any, ...]:
    conn = connections.get("default")
    rows = await conn.execute_query('SELECT COUNT(*), MAX("updated_at") FROM "node"')
    return tuple(rows[1][0])


async def nodes_visible_to(principal: Principal) -> set[int] | None:
    """The ids of the nodes whose stock a token may read: its nodes if it is limited to
    some, and of those the ones its channels see if it is limited to channels; None: all."""
    if not (principal.nodes or principal.channels):
        return None
    nodes = await nodes_by_id()
    seen = {i for i, n in nodes.items() if not principal.nodes or n.code in principal.nodes}
    if principal.channels:
        conn = connections.get("default")
        channels = [c for c in await read_model.load_channels(conn) if c.code in principal.channels]
        seen = {i for i in seen if any(channel_sees(c, nodes[i]) for c in channels)}
    return seen
