"""GraphQL enums: the domain's own enums, registered with Strawberry (same classes, same values)."""
from __future__ import annotations

import strawberry

from oms.enums import (
    AllocationSearch,
    ChannelType,
    DeliveryMethod,
    FulfillmentStatus,
    NodeType,
    OrderStatus,
    PaymentStatus,
    PaymentTerms,
    ReplayStock,
    ReturnDisposition,
    ReturnStatus,
    SplitPolicy,
)

strawberry.enum(NodeType)
strawberry.enum(ChannelType)
strawberry.enum(DeliveryMethod)
strawberry.enum(SplitPolicy)
strawberry.enum(ReplayStock, description="The stock a what-if replay's orders meet.")
strawberry.enum(AllocationSearch, description=(
    "How a sourcing decision's allocation was found. EXACT: an optimum (most units covered\n"
    "within the rule's maxSplits nodes, then the fewest nodes, then the least cost by the\n"
    "rule's ranking: with the default rule, the least total distance), proven by a complete\n"
    "search or needing none (one node holding everything; SHIP_COMPLETE). HEURISTIC: too many\n"
    "candidates or too little time to prove it: the best allocation found, at least as good as\n"
    "the greedy set cover."))
strawberry.enum(
    OrderStatus,
    description=(
        "Aggregate order status, derived from its lines and fulfillments.\n"
        "CREATED -> ALLOCATED | PARTIALLY_ALLOCATED | BACKORDERED -> IN_FULFILLMENT\n"
        "-> PARTIALLY_SHIPPED -> SHIPPED -> DELIVERED; CANCELLED from any state before\n"
        "everything shipped; RETURNED when every delivered unit came back."
    ),
)
strawberry.enum(
    FulfillmentStatus,
    description=(
        "Status of the work sent to one node.\n"
        "PENDING -> ACCEPTED -> PICKED -> PACKED -> SHIPPED -> DELIVERED\n"
        "PENDING/ACCEPTED -> REJECTED (the node cannot do it; its lines are re-sourced)\n"
        "PACKED -> READY_FOR_PICKUP -> PICKED_UP (pickup in store)\n"
        "any state before SHIPPED/PICKED_UP -> CANCELLED"
    ),
)
strawberry.enum(PaymentStatus)
strawberry.enum(ReturnStatus)
strawberry.enum(ReturnDisposition, description="What happens to a returned unit once it is received.")

__all__ = [
    "AllocationSearch", "ChannelType", "DeliveryMethod", "FulfillmentStatus", "NodeType", "OrderStatus",
    "PaymentStatus", "ReturnDisposition", "ReturnStatus", "SplitPolicy",
]
strawberry.enum(PaymentTerms, description="How a company pays: when ordering, or on account.")
