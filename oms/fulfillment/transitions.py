"""The fulfillment workflow: the one table, and the one function that sets `Fulfillment.status`.

PENDING -> ACCEPTED -> PICKED -> PACKED -> SHIPPED -> DELIVERED (ship to an address)
PENDING/ACCEPTED -> REJECTED (the node cannot do it; its lines are re-sourced)
PACKED -> READY_FOR_PICKUP -> PICKED_UP (pickup in store)
any state before SHIPPED/PICKED_UP -> CANCELLED
"""
from __future__ import annotations

from oms.enums import DeliveryMethod
from oms.enums import FulfillmentStatus as FS
from oms.errors import DomainError, ErrorCode
from oms.models import Fulfillment
from oms.workflow import Workflow

FULFILLMENT = Workflow("fulfillment", FS.PENDING, {
    FS.PENDING: frozenset({FS.ACCEPTED, FS.REJECTED, FS.CANCELLED}),
    FS.ACCEPTED: frozenset({FS.PICKED, FS.REJECTED, FS.CANCELLED}),
    FS.PICKED: frozenset({FS.PACKED, FS.CANCELLED}),
    FS.PACKED: frozenset({FS.SHIPPED, FS.READY_FOR_PICKUP, FS.CANCELLED}),
    FS.READY_FOR_PICKUP: frozenset({FS.PICKED_UP, FS.CANCELLED}),
    FS.SHIPPED: frozenset({FS.DELIVERED}),
    FS.DELIVERED: frozenset(),
    FS.PICKED_UP: frozenset(),
    FS.REJECTED: frozenset(),
    FS.CANCELLED: frozenset(),
})

ONLY_FOR: dict[FS, DeliveryMethod] = {
    FS.SHIPPED: DeliveryMethod.SHIP_TO_ADDRESS,
    FS.DELIVERED: DeliveryMethod.SHIP_TO_ADDRESS,
    FS.READY_FOR_PICKUP: DeliveryMethod.PICKUP_IN_STORE,
    FS.PICKED_UP: DeliveryMethod.PICKUP_IN_STORE,
}
"States only fulfillments of one delivery method may reach."

OPEN = frozenset({FS.PENDING, FS.ACCEPTED, FS.PICKED, FS.PACKED, FS.READY_FOR_PICKUP})
"Still holding stock at the node: nothing has left it yet."


def check(status: FS, target: FS, method: DeliveryMethod) -> None:
    """Refuse the move unless the table allows it and it suits the order's delivery method."""
    only = ONLY_FOR.get(target)
    if only is not None and only is not method:
        raise DomainError.of(
            ErrorCode.WRONG_DELIVERY_METHOD,
            f"a {method} fulfillment cannot become {target} (only {only} ones can)",
        )
    FULFILLMENT.require(status, target)


def transition(fulfillment: Fulfillment, target: FS, method: DeliveryMethod) -> FS:
    """Move `fulfillment` to `target` (the only writer of its status); returns the old status."""
    check(fulfillment.status, target, method)
    return FULFILLMENT.move(fulfillment, target)
