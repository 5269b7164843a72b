"""Exclusion checks: small objects answering "exclude, because ...", listed once in EXCLUSIONS.

`applies` is asked once per decision so that checks irrelevant to it (pickup
checks when shipping, an empty reject list) cost nothing per node.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from oms.enums import DeliveryMethod

if TYPE_CHECKING:
    from oms.sourcing.criteria import SourcingContext
    from oms.sourcing.model import NodeSnapshot


class ExclusionCheck(Protocol):
    def applies(self, ctx: SourcingContext) -> bool:
        """Whether this check can exclude anything in this decision."""
        ...

    def reason(self, node: NodeSnapshot, ctx: SourcingContext) -> str | None:
        """Why the node cannot take part, in plain words; None when it may."""
        ...


class Inactive:
    def applies(self, ctx: SourcingContext) -> bool:
        return True

    def reason(self, node: NodeSnapshot, ctx: SourcingContext) -> str | None:
        return None if node.active else "inactive"


class ExcludedByChannel:
    def applies(self, ctx: SourcingContext) -> bool:
        return bool(ctx.request.channel.excluded_node_codes)

    def reason(self, node: NodeSnapshot, ctx: SourcingContext) -> str | None:
        channel = ctx.request.channel
        if node.code in channel.excluded_node_codes:
            return f"excluded by channel {channel.code}"
        return None


class NodeTypeNotSold:
    def applies(self, ctx: SourcingContext) -> bool:
        return bool(ctx.request.channel.node_types)

    def reason(self, node: NodeSnapshot, ctx: SourcingContext) -> str | None:
        channel = ctx.request.channel
        if node.type in channel.node_types:
            return None
        return f"node type {node.type} not sold on channel {channel.code}"


class CannotShip:
    def applies(self, ctx: SourcingContext) -> bool:
        return ctx.request.delivery_method is DeliveryMethod.SHIP_TO_ADDRESS

    def reason(self, node: NodeSnapshot, ctx: SourcingContext) -> str | None:
        return None if node.can_ship else "cannot ship"


class NotPickupNode:
    def applies(self, ctx: SourcingContext) -> bool:
        return ctx.request.delivery_method is DeliveryMethod.PICKUP_IN_STORE

    def reason(self, node: NodeSnapshot, ctx: SourcingContext) -> str | None:
        return None if node.code == ctx.request.pickup_node_code else "not the pickup node"


class CannotHandOverPickups:
    def applies(self, ctx: SourcingContext) -> bool:
        return ctx.request.delivery_method is DeliveryMethod.PICKUP_IN_STORE

    def reason(self, node: NodeSnapshot, ctx: SourcingContext) -> str | None:
        return None if node.can_pickup else "cannot hand over pickups"


class RejectedBefore:
    def applies(self, ctx: SourcingContext) -> bool:
        return bool(ctx.request.excluded_node_codes)

    def reason(self, node: NodeSnapshot, ctx: SourcingContext) -> str | None:
        if node.code in ctx.request.excluded_node_codes:
            return "rejected these lines before"
        return None


class OverCapacity:
    def applies(self, ctx: SourcingContext) -> bool:
        return ctx.rule.respect_capacity

    def reason(self, node: NodeSnapshot, ctx: SourcingContext) -> str | None:
        capacity = node.daily_capacity
        if capacity is None or node.fulfillments_today < capacity:
            return None
        return f"over daily capacity {node.fulfillments_today}/{capacity}"


class NoStock:
    def applies(self, ctx: SourcingContext) -> bool:
        return True

    def reason(self, node: NodeSnapshot, ctx: SourcingContext) -> str | None:
        stock = node.stock
        for sku in ctx.demand:
            if stock.get(sku, 0) > 0:
                return None
        return "no stock"


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
