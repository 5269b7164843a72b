"""derive_status: the one place the aggregate order status is worked out (pure, no database)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from oms.enums import FulfillmentStatus as FS
from oms.enums import OrderStatus as OS
from oms.orders.status import derive_status


@dataclass
class Line:
    quantity: int
    allocated_quantity: int = 0
    backordered_quantity: int = 0
    shipped_quantity: int = 0
    delivered_quantity: int = 0
    cancelled_quantity: int = 0
    returned_quantity: int = 0


@dataclass
class Work:
    status: FS


@pytest.mark.parametrize(("lines", "work", "expected"), [
    ([Line(2)], [], OS.CREATED),
    ([Line(2, allocated_quantity=2)], [Work(FS.PENDING)], OS.ALLOCATED),
    ([Line(2, allocated_quantity=1, backordered_quantity=1)], [], OS.PARTIALLY_ALLOCATED),
    ([Line(2, backordered_quantity=2)], [], OS.BACKORDERED),
    ([Line(2, allocated_quantity=2)], [Work(FS.PENDING), Work(FS.PICKED)], OS.IN_FULFILLMENT),
    ([Line(2, allocated_quantity=2, shipped_quantity=1)], [], OS.PARTIALLY_SHIPPED),
    ([Line(2, allocated_quantity=2, shipped_quantity=2)], [], OS.SHIPPED),
    ([Line(2, allocated_quantity=1, shipped_quantity=1, cancelled_quantity=1)], [], OS.SHIPPED),
    ([Line(2, allocated_quantity=2, shipped_quantity=2, delivered_quantity=2)], [], OS.DELIVERED),
    ([Line(2, cancelled_quantity=2)], [Work(FS.CANCELLED)], OS.CANCELLED),
    ([Line(1, allocated_quantity=1, shipped_quantity=1, delivered_quantity=1,
           returned_quantity=1)], [], OS.RETURNED),
    ([Line(2, allocated_quantity=2, shipped_quantity=2, delivered_quantity=2,
           returned_quantity=1)], [], OS.DELIVERED),
])
def test_status_follows_the_contract(lines: list[Line], work: list[Work], expected: OS) -> None:
    assert derive_status(lines, work) is expected
