"""What a node does with its fulfillment, step by step, and what each step sets off.

Every step moves the fulfillment along the one table (`transitions.transition`) and
appends the order event; shipping and pickup also move stock out of the node
(on-hand and reserved drop, with ledger entries) and capture what left. Packing issues the
packing slip, shipping the delivery note, and the step that leaves the order fully shipped
(or collected) its invoice.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from oms import inventory, payments
from oms.auth import Principal
from oms.documents.issue import invoice_if_complete, parcel_documents
from oms.enums import DocumentKind, OrderEventType, OrderStatus, StockReason
from oms.enums import FulfillmentStatus as FS
from oms.errors import ErrorCode, Problems
from oms.fulfillment.lookup import lock_fulfillment
from oms.fulfillment.transitions import FULFILLMENT, transition
from oms.inventory import Hold
from oms.models import Fulfillment, FulfillmentLine, Node, Order, OrderLine
from oms.orders.history import record_event
from oms.text import check_length
from oms.uow import UnitOfWork

EVENT_OF = {
    FS.ACCEPTED: OrderEventType.FULFILLMENT_ACCEPTED,
    FS.PICKED: OrderEventType.FULFILLMENT_PICKED,
    FS.PACKED: OrderEventType.FULFILLMENT_PACKED,
    FS.READY_FOR_PICKUP: OrderEventType.FULFILLMENT_READY_FOR_PICKUP,
    FS.SHIPPED: OrderEventType.FULFILLMENT_SHIPPED,
    FS.DELIVERED: OrderEventType.FULFILLMENT_DELIVERED,
    FS.PICKED_UP: OrderEventType.PICKED_UP,
}


@dataclass
class Work:
    """A fulfillment with its order, node and lines, as one step sees them."""

    fulfillment: Fulfillment
    order: Order
    node: Node
    lines: list[FulfillmentLine]

    @classmethod
    async def load(cls, principal: Principal, fulfillment_id: str) -> Work:
        fulfillment, order, node = await lock_fulfillment(principal, fulfillment_id,
                                                           "fulfillmentId")
        lines = await FulfillmentLine.filter(fulfillment_id=fulfillment.id).order_by("sku", "id")
        return cls(fulfillment, order, node, list(lines))

    @property
    def reference(self) -> str:
        return f"order:{self.order.id}"

    def data(self, **extra: object) -> dict[str, object]:
        return {"fulfillment_id": str(self.fulfillment.id), "node": self.node.code,
                "lines": [{"sku": line.sku, "quantity": line.quantity} for line in self.lines],
                **extra}

    async def issue(self, uow: UnitOfWork, kind: DocumentKind) -> None:
        await parcel_documents(uow, kind, self.fulfillment, self.order, self.node, self.lines)

    async def record(self, uow: UnitOfWork, target: FS, message: str | None = None,
                     **extra: object) -> None:
        await record_event(uow, self.order, EVENT_OF[target],
                           message or f"{self.node.code}: {target.lower().replace('_', ' ')}",
                           self.data(**extra))


async def advance(uow: UnitOfWork, principal: Principal, fulfillment_id: str,
                  target: FS) -> Work:
    """Move a fulfillment one step that touches no stock (accept, pick, pack, ready); packing
    issues the parcel's packing slip."""
    work = await Work.load(principal, fulfillment_id)
    await move(work, target)
    await work.record(uow, target)
    if target is FS.PACKED:
        await work.issue(uow, DocumentKind.PACKING_SLIP)
    return work


async def move(work: Work, target: FS, *fields: str) -> None:
    """Move the fulfillment along the table and store it (refused if it moved meanwhile)."""
    previous = transition(work.fulfillment, target, work.order.delivery_method)
    await FULFILLMENT.persist(work.fulfillment, previous, *fields)


async def ship(uow: UnitOfWork, principal: Principal, fulfillment_id: str, carrier: str,
               tracking_number: str) -> Work:
    """The parcel leaves the node: stock goes out, lines count as shipped, payment is captured."""
    _check_parcel(carrier, tracking_number)
    work = await Work.load(principal, fulfillment_id)
    work.fulfillment.carrier = carrier.strip()
    work.fulfillment.tracking_number = tracking_number.strip()
    await move(work, FS.SHIPPED, "carrier", "tracking_number")
    await _goods_leave(uow, work, delivered=False)
    await work.record(uow, FS.SHIPPED, f"{work.node.code}: shipped with {carrier.strip()} "
                      f"{tracking_number.strip()}", carrier=carrier.strip(),
                      tracking_number=tracking_number.strip())
    await payments.capture(uow, work.order, await _worth(work))
    await work.issue(uow, DocumentKind.DELIVERY_NOTE)
    await invoice_if_complete(uow, work.order)
    return work


def _check_parcel(carrier: str, tracking_number: str) -> None:
    problems = Problems()
    if not carrier.strip():
        problems.add(ErrorCode.INVALID_INPUT, "carrier must not be empty", "carrier")
    if not tracking_number.strip():
        problems.add(ErrorCode.INVALID_INPUT, "trackingNumber must not be empty",
                     "trackingNumber")
    check_length(problems, carrier.strip(), Fulfillment, "carrier", "carrier")
    check_length(problems, tracking_number.strip(), Fulfillment, "tracking_number", "trackingNumber")
    problems.raise_if_any()


async def deliver(uow: UnitOfWork, principal: Principal, fulfillment_id: str) -> Work:
    """The carrier delivered the parcel; the order is DELIVERED once every parcel is."""
    work = await Work.load(principal, fulfillment_id)
    await move(work, FS.DELIVERED)
    await _count(work, "delivered_quantity")
    await work.record(uow, FS.DELIVERED)
    if work.order.status == OrderStatus.DELIVERED:
        await record_event(uow, work.order, OrderEventType.DELIVERED, "every unit delivered")
    return work


async def hand_over(uow: UnitOfWork, principal: Principal, fulfillment_id: str) -> Work:
    """The customer collected the pickup: stock leaves the store, payment is captured."""
    work = await Work.load(principal, fulfillment_id)
    await move(work, FS.PICKED_UP)
    await _goods_leave(uow, work, delivered=True)
    await work.record(uow, FS.PICKED_UP, f"collected at {work.node.code}")
    await payments.capture(uow, work.order, await _worth(work))
    await invoice_if_complete(uow, work.order)
    return work


async def _goods_leave(uow: UnitOfWork, work: Work, delivered: bool) -> None:
    """On-hand and reserved drop at the node; the order lines count the units as shipped."""
    await inventory.ship_held(uow, [Hold(line.sku, work.node.id, line.quantity) for line in work.lines],
                              StockReason.SHIP, work.reference)
    await _count(work, "shipped_quantity")
    if delivered:
        await _count(work, "delivered_quantity")


async def _count(work: Work, column: str) -> None:
    by_line = {str(line.order_line_id): line.quantity for line in work.lines}
    for order_line in await OrderLine.filter(id__in=list(by_line)):
        setattr(order_line, column, getattr(order_line, column) + by_line[str(order_line.id)])
        await order_line.save(update_fields=[column])


async def _worth(work: Work) -> Decimal:
    prices = dict(await OrderLine.filter(id__in=[line.order_line_id for line in work.lines])
                  .values_list("id", "unit_price"))
    return sum((Decimal(prices[line.order_line_id]) * line.quantity for line in work.lines),
               Decimal(0))
