"""Reorder policies, low-stock alerts and replenishment suggestions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from oms.inventory_bulk import Policy
from oms.reorder import LowStock, PolicySpec
from oms.replenishment import Suggestion
from schema import loaders
from schema.catalog import FulfillmentNode, node_by_id
from schema.common import UserError
from schema.context import Info


@strawberry.type(description="When to reorder a SKU at a node, and up to what level.")
class ReorderPolicy:
    sku: str
    reorder_point: int
    target_level: int
    lead_time_days: float = strawberry.field(
        description="Days from ordering to arrival, for demand-based safety stock.")
    node_id: strawberry.Private[int]

    @strawberry.field
    async def node(self, info: Info) -> FulfillmentNode:
        return await node_by_id(info, self.node_id)

    @classmethod
    def of(cls, policy: Policy) -> ReorderPolicy:
        return cls(sku=policy.sku, reorder_point=policy.reorder_point,
                   target_level=policy.target_level, lead_time_days=policy.lead_time_days,
                   node_id=policy.node_id)


@strawberry.input
class ReorderPolicyInput:
    sku: str
    node_code: str
    reorder_point: int
    target_level: int
    lead_time_days: float | None = 7.0

    def to_spec(self) -> PolicySpec:
        lead = 7.0 if self.lead_time_days is None else self.lead_time_days
        return PolicySpec(self.sku, self.node_code, self.reorder_point, self.target_level, lead)


@strawberry.type
class ReorderPoliciesPayload:
    policies: list[ReorderPolicy] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A position whose available stock is at or below its reorder point.")
class LowStockAlert:
    sku: str
    available: int = strawberry.field(description="max(0, onHand - reserved - safetyStock)")
    reorder_point: int
    at: datetime = strawberry.field(description=(
        "When it fell to the reorder point (alerts), or when it was read (lowStock)."))
    node_id: strawberry.Private[int | None] = None
    node_code: strawberry.Private[str | None] = None

    @strawberry.field
    async def node(self, info: Info) -> FulfillmentNode:
        if self.node_id is not None:
            return await node_by_id(info, self.node_id)
        found = await info.context.loaders(loaders.nodes_by_code).load(str(self.node_code))
        assert found is not None, f"no node {self.node_code}"  # nodes are never deleted
        return FulfillmentNode.of(found)

    @classmethod
    def of(cls, low: LowStock) -> LowStockAlert:
        return cls(sku=low.sku, available=low.available, reorder_point=low.reorder_point,
                   at=low.at, node_id=low.node_id)

    @classmethod
    def of_event(cls, payload: dict[str, Any]) -> LowStockAlert:
        """From a `stock.low` event's payload."""
        return cls(sku=str(payload["sku"]), available=int(payload["available"]),
                   reorder_point=int(payload["reorder_point"]),
                   at=datetime.fromisoformat(str(payload["at"])),
                   node_code=str(payload["node_code"]))


@strawberry.type
class ReplenishmentSuggestion:
    sku: str
    on_hand: int
    reserved: int
    inbound: int = strawberry.field(
        description="Units on the way (purchase orders and transfers not yet received).")
    reorder_point: int
    target_level: int
    suggested_quantity: int = strawberry.field(
        description="targetLevel - (onHand - reserved + inbound), never below zero.")
    daily_demand: float = strawberry.field(
        description="Mean units per day sourced from this node over the last 28 days.")
    days_of_cover: float | None = strawberry.field(description=(
        "Days until (onHand - reserved) runs out at dailyDemand; null when there is no demand."))
    suggested_safety_stock: int = strawberry.field(description=(
        "Safety stock the demand's day-to-day variation calls for over the lead time "
        "(95% service level)."))
    node_id: strawberry.Private[int]

    @strawberry.field
    async def node(self, info: Info) -> FulfillmentNode:
        return await node_by_id(info, self.node_id)

    @classmethod
    def of(cls, s: Suggestion) -> ReplenishmentSuggestion:
        return cls(sku=s.sku, on_hand=s.on_hand, reserved=s.reserved, inbound=s.inbound,
                   reorder_point=s.reorder_point, target_level=s.target_level,
                   suggested_quantity=s.suggested_quantity, daily_demand=s.daily_demand,
                   days_of_cover=s.days_of_cover,
                   suggested_safety_stock=s.suggested_safety_stock, node_id=s.node_id)
