"""What a channel may promise of a node's stock: the rules, on plain values.

Per node: available = max(0, onHand - reserved - safetyStock), less holds that
expired but were not swept yet. The channel sees nothing from inactive nodes,
excluded nodes, or node types it does not sell from; of the rest it may promise
floor((available - buffer) * allocationPercent / 100), never below zero.

The functions take anything with the attributes they read: model rows where the
code has them, the read model's small value tuples on the hot paths.
"""
from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from oms.enums import DeliveryMethod


class ChannelRules(Protocol):
    @property
    def active(self) -> bool: ...
    @property
    def buffer(self) -> int: ...
    @property
    def allocation_percent(self) -> int: ...
    @property
    def excluded_node_codes(self) -> Collection[str]: ...
    @property
    def node_types(self) -> Collection[str]: ...


class NodeFacts(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def type(self) -> object: ...
    @property
    def active(self) -> bool: ...
    @property
    def can_ship(self) -> bool: ...
    @property
    def can_pickup(self) -> bool: ...


def node_available(on_hand: int, reserved: int, safety_stock: int) -> int:
    """The contract's InventoryPosition.available."""
    return max(0, on_hand - reserved - safety_stock)


def channel_sees(channel: ChannelRules, node: NodeFacts,
                 method: DeliveryMethod | None = None) -> bool:
    """Whether `channel` may promise stock of `node` (for `method`, when given)."""
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


def channel_share(channel: ChannelRules, available: int) -> int:
    """Units of a node's `available` this channel may promise (buffer, then percent)."""
    return max(0, (available - channel.buffer) * channel.allocation_percent // 100)
