"""The one place an order's aggregate status is worked out: from its lines and fulfillments.

Line quantity buckets (every writer keeps them so):
    quantity = allocated + backordered + cancelled
    shipped <= allocated, delivered <= shipped, returned <= delivered
`allocated` counts units ever assigned to a node and not cancelled, shipped or not.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from oms.enums import FulfillmentStatus, OrderStatus

WORK_STARTED = frozenset({
    FulfillmentStatus.ACCEPTED, FulfillmentStatus.PICKED, FulfillmentStatus.PACKED,
    FulfillmentStatus.READY_FOR_PICKUP,
})


class LineFigures(Protocol):
    quantity: int
    allocated_quantity: int
    backordered_quantity: int
    shipped_quantity: int
    delivered_quantity: int
    cancelled_quantity: int
    returned_quantity: int


class HasStatus(Protocol):
    status: FulfillmentStatus


class OrderLike(Protocol):
    status: OrderStatus


def apply_derived_status(order: OrderLike, lines: Iterable[LineFigures],
                         fulfillments: Iterable[HasStatus]) -> bool:
    """Set `order.status` to what its lines and fulfillments say (the one writer of an
    order's status; `oms.orders.history` stores it); whether it changed."""
    status = derive_status(lines, fulfillments)
    changed = status != order.status
    order.status = status
    return changed


def derive_status(lines: Iterable[LineFigures], fulfillments: Iterable[HasStatus]) -> OrderStatus:
    """The contract's OrderStatus for these lines and fulfillments.

    CANCELLED when every unit not shipped is cancelled and nothing shipped;
    RETURNED when every unit went out, was delivered and came back; then the
    furthest shipping stage reached; IN_FULFILLMENT once a node works on it;
    else how much of what is still wanted is allocated.
    """
    rows = list(lines)
    wanted = sum(line.quantity - line.cancelled_quantity for line in rows)
    shipped = sum(line.shipped_quantity for line in rows)
    delivered = sum(line.delivered_quantity for line in rows)
    returned = sum(line.returned_quantity for line in rows)
    if wanted <= 0:
        return OrderStatus.CANCELLED if shipped == 0 else OrderStatus.SHIPPED
    if delivered and returned >= delivered and delivered >= wanted:
        return OrderStatus.RETURNED
    if delivered >= wanted:
        return OrderStatus.DELIVERED
    if shipped >= wanted:
        return OrderStatus.SHIPPED
    if shipped:
        return OrderStatus.PARTIALLY_SHIPPED
    if any(f.status in WORK_STARTED for f in fulfillments):
        return OrderStatus.IN_FULFILLMENT
    return _allocation_status(rows)


def _allocation_status(lines: list[LineFigures]) -> OrderStatus:
    allocated = sum(line.allocated_quantity for line in lines)
    backordered = sum(line.backordered_quantity for line in lines)
    if allocated and backordered:
        return OrderStatus.PARTIALLY_ALLOCATED
    if backordered:
        return OrderStatus.BACKORDERED
    if allocated:
        return OrderStatus.ALLOCATED
    return OrderStatus.CREATED
