"""Reorder policies, low stock and replenishment suggestions (the stock planners' roots)."""
from __future__ import annotations

from typing import Any

import strawberry

from oms import reorder, replenishment, scopes
from oms.scopes import Scope
from resolvers.base import answer, mutate
from schema.context import Info
from schema.replenishment import (
    LowStockAlert,
    ReorderPoliciesPayload,
    ReorderPolicy,
    ReorderPolicyInput,
    ReplenishmentSuggestion,
)


@strawberry.type
class ReplenishmentQuery:
    @strawberry.field(description="The reorder policies of the nodes the token sees, by SKU, node.")
    async def reorder_policies(self, info: Info, node_code: str | None = None,
                               sku: str | None = None) -> list[ReorderPolicy]:
        who = await info.context.require(*scopes.READ_STOCK)
        return [ReorderPolicy.of(p) for p in await reorder.policies(who, node_code, sku)]

    @strawberry.field(description=(
        "Positions whose available (max(0, onHand - reserved - safetyStock)) is at or below "
        "their reorder point now, by SKU then node."))
    async def low_stock(self, info: Info, node_code: str | None = None,
                        first: int | None = 100) -> list[LowStockAlert]:
        who = await info.context.require(*scopes.READ_STOCK)
        found = await answer(reorder.low_stock(who, node_code, 100 if first is None else first))
        return [LowStockAlert.of(low) for low in found]

    @strawberry.field(description=(
        "Positions with a policy whose onHand - reserved + inbound is at or below the reorder "
        "point, with what to order and the demand behind it, by SKU then node."))
    async def replenishment_suggestions(self, info: Info, node_code: str | None = None,
                                        first: int | None = 100) -> list[ReplenishmentSuggestion]:
        who = await info.context.require(*scopes.READ_STOCK)
        found = await answer(replenishment.suggestions(who, node_code, 100 if first is None else first))
        return [ReplenishmentSuggestion.of(s) for s in found]


@strawberry.type
class ReplenishmentMutation:
    @strawberry.mutation(description="Set reorder policies per SKU and node. Atomic: all or none.")
    async def set_reorder_policies(self, info: Info,
                                   policies: list[ReorderPolicyInput]) -> ReorderPoliciesPayload:
        specs = [p.to_spec() for p in policies]
        out = await mutate(info, (Scope.INVENTORY_WRITE,),
                           lambda uow, who: reorder.set_policies(uow, who, specs),
                           audit=lambda _: None, audit_details=lambda: _summary(specs))
        return ReorderPoliciesPayload(policies=[ReorderPolicy.of(p) for p in out.value or []],
                                      user_errors=out.user_errors)


def _summary(specs: list[reorder.PolicySpec]) -> dict[str, Any]:
    """What an audit entry keeps of a batch of policies: its size, nodes and SKUs."""
    skus = sorted({s.sku for s in specs})
    return {"policies": len(specs), "nodes": sorted({s.node_code for s in specs}),
            "skus": skus[:100], "skuCount": len(skus)}
