"""GraphQL enums, built from the domain's."""
from __future__ import annotations

import strawberry

from oms import enums

NodeType = strawberry.enum(enums.NodeType)
ChannelType = strawberry.enum(enums.ChannelType)
DeliveryMethod = strawberry.enum(
    enums.DeliveryMethod,
    description=None,
)
SplitPolicy = strawberry.enum(enums.SplitPolicy)
OrderStatus = strawberry.enum(
    enums.OrderStatus,
    description=(
        "Aggregate order status, derived from its lines and fulfillments.\n"
        "CREATED -> ALLOCATED | PARTIALLY_ALLOCATED | BACKORDERED -> IN_FULFILLMENT\n"
        "-> PARTIALLY_SHIPPED -> SHIPPED -> DELIVERED; CANCELLED from any state before\n"
        "everything shipped; RETURNED when every delivered unit came back."
    ),
)
FulfillmentStatus = strawberry.enum(
    enums.FulfillmentStatus,
    description=(
        "Status of the work sent to one node.\n"
        "PENDING -> ACCEPTED -> PICKED -> PACKED -> SHIPPED -> DELIVERED\n"
        "PENDING/ACCEPTED -> REJECTED (the node cannot do it; its lines are re-sourced)\n"
        "PACKED -> READY_FOR_PICKUP -> PICKED_UP (pickup in store)\n"
        "any state before SHIPPED/PICKED_UP -> CANCELLED"
    ),
)
PaymentStatus = strawberry.enum(enums.PaymentStatus)
ReturnStatus = strawberry.enum(enums.ReturnStatus)
ReturnDisposition = strawberry.enum(
    enums.ReturnDisposition, description="What happens to a returned unit once it is received."
)
