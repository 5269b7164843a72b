"""Exclusion checks: small objects answering "exclude, because ...", listed once in EXCLUSIONS.

`applies` is asked once per decision so that checks irrelevant to it (pickup
checks when shipping, an empty reject list) cost nothing per node. A check looks at
the nodes a column at a time: a decision screens about a thousand nodes, and a call
per node per check would cost a millisecond.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from oms.enums import DeliveryMethod

if TYPE_CHECKING:
    from oms.sourcing.criteria import SourcingContext
    from oms.sourcing.model import NodeSnapshot

Exclusions = list[tuple[int, str]]
"(position among the nodes screened, why it cannot take part), in node order."


class ExclusionCheck(Protocol):
    def applies(self, ctx: SourcingContext) -> bool:
        """Whether this check can exclude anything in this decision."""
        ...

    def excluded(self, nodes: Sequence[NodeSnapshot], ctx: SourcingContext) -> Exclusions:
        """The nodes that cannot take part, by position, and why in plain words."""
        ...


class Inactive:
    def applies(self, ctx: SourcingContext) -> bool:
        return True

    def excluded(self, nodes: Sequence[NodeSnapshot], ctx: SourcingContext) -> Exclusions:
        return [(index, "inactive") for index, node in enumerate(nodes) if not node.active]


class ExcludedByChannel:
    def applies(self, ctx: SourcingContext) -> bool:
        return bool(ctx.request.channel.excluded_node_codes)

    def excluded(self, nodes: Sequence[NodeSnapshot], ctx: SourcingContext) -> Exclusions:
        channel = ctx.request.channel
        codes, why = channel.excluded_node_codes, f"excluded by channel {channel.code}"
        return [(index, why) for index, node in enumerate(nodes) if node.code in codes]


class NodeTypeNotSold:
    def applies(self, ctx: SourcingContext) -> bool:
        return bool(ctx.request.channel.node_types)

    def excluded(self, nodes: Sequence[NodeSnapshot], ctx: SourcingContext) -> Exclusions:
        channel = ctx.request.channel
        return [(index, f"node type {node.type} not sold on channel {channel.code}")
                for index, node in enumerate(nodes) if node.type not in channel.node_types]


class CannotShip:
    def applies(self, ctx: SourcingContext) -> bool:
        return ctx.request.delivery_method is DeliveryMethod.SHIP_TO_ADDRESS

    def excluded(self, nodes: Sequence[NodeSnapshot], ctx: SourcingContext) -> Exclusions:
        return [(index, "cannot ship") for index, node in enumerate(nodes) if not node.can_ship]


class NotPickupNode:
    def applies(self, ctx: SourcingContext) -> bool:
        return ctx.request.delivery_method is DeliveryMethod.PICKUP_IN_STORE

    def excluded(self, nodes: Sequence[NodeSnapshot], ctx: SourcingContext) -> Exclusions:
        pickup = ctx.request.pickup_node_code
        return [(index, "not the pickup node") for index, node in enumerate(nodes)
                if node.code != pickup]


class CannotHandOverPickups:
    def applies(self, ctx: SourcingContext) -> bool:
        return ctx.request.delivery_method is DeliveryMethod.PICKUP_IN_STORE

    def excluded(self, nodes: Sequence[NodeSnapshot], ctx: SourcingContext) -> Exclusions:
        return [(index, "cannot hand over pickups") for index, node in enumerate(nodes)
                if not node.can_pickup]


class RejectedBefore:
    def applies(self, ctx: SourcingContext) -> bool:
        return bool(ctx.request.excluded_node_codes)

    def excluded(self, nodes: Sequence[NodeSnapshot], ctx: SourcingContext) -> Exclusions:
        codes = ctx.request.excluded_node_codes
        return [(index, "rejected these lines before") for index, node in enumerate(nodes)
                if node.code in codes]


class OverCapacity:
    def applies(self, ctx: SourcingContext) -> bool:
        return ctx.rule.respect_capacity

    def excluded(self, nodes: Sequence[NodeSnapshot], ctx: SourcingContext) -> Exclusions:
        return [(index, f"over daily capacity {node.fulfillments_today}/{node.daily_capacity}")
                for index, node in enumerate(nodes)
                if node.daily_capacity is not None and node.fulfillments_today >= node.daily_capacity]


class NoStock:
    def applies(self, ctx: SourcingContext) -> bool:
        return True

    def excluded(self, nodes: Sequence[NodeSnapshot], ctx: SourcingContext) -> Exclusions:
        skus = tuple(ctx.demand)
        empty: Exclusions = []
        for index, node in enumerate(nodes):
            stock = node.stock
            for sku in skus:
                if stock.get(sku, 0) > 0:
                    break
            else:
                empty.append((index, "no stock"))
        return empty


EXCLUSIONS: tuple[ExclusionCheck, ...] = (
    Inactive(),
    ExcludedByChannel(),
    NodeTypeNotSold(),
    CannotShip(),
    NotPickupNode(),
    CannotHandOverPickups(),
    RejectedBefore(),
    OverCapacity(),
    NoStock(),
)
