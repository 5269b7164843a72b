"""cancelOrder: cancel a whole order, or the remaining (unshipped) units of some lines.

Shipped units cannot be cancelled (NOT_CANCELLABLE). Holds are released in (sku, node)
order, fulfillments left with nothing become CANCELLED, and the authorization for the
cancelled amount is voided.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from oms import credit, inventory, payments
from oms.auth import Principal
from oms.documents.issue import invoice_if_complete
from oms.enums import FulfillmentStatus, OrderEventType, StockReason
from oms.errors import DomainError, ErrorCode, Problems
from oms.fulfillment.lookup import lock_order
from oms.fulfillment.transitions import FULFILLMENT, OPEN, transition
from oms.inventory import Release
from oms.models import Fulfillment, FulfillmentLine, Order, OrderLine
from oms.orders.history import record_event
from oms.text import reason_problem
from oms.uow import UnitOfWork


@dataclass(frozen=True)
class CancelSpec:
    order_id: str
    reason: str
    order_line_ids: list[str] | None = None


def remaining(line: OrderLine) -> int:
    """Units of the line neither shipped nor cancelled yet."""
    return line.quantity - line.cancelled_quantity - line.shipped_quantity


async def cancel_order(uow: UnitOfWork, principal: Principal, spec: CancelSpec) -> Order:
    """Cancel what is left of the whole order, or of the given lines."""
    if problem := reason_problem(spec.reason):
        raise DomainError.of(ErrorCode.INVALID_INPUT, problem, "reason")
    order = await lock_order(principal, spec.order_id, "orderId")
    lines = _chosen(list(await OrderLine.filter(order_id=order.id).order_by("position")), spec)
    open_ids = await Fulfillment.filter(order_id=order.id, status__in=list(OPEN)) \
        .values_list("id", "node_id")
    nodes = {str(fid): node_id for fid, node_id in open_ids}
    held = await FulfillmentLine.filter(fulfillment_id__in=list(nodes),
                                        order_line_id__in=[line.id for line in lines])
    await inventory.release_holds(uow, [
        Release(row.sku, nodes[str(row.fulfillment_id)], row.quantity, StockReason.CANCEL,
                f"order:{order.id}") for row in held])
    await FulfillmentLine.filter(id__in=[row.id for row in held]).delete()
    cancelled = await _cancel_lines(lines, held)
    await cancel_emptied(order, {str(row.fulfillment_id) for row in held},
                         f"cancelled: {spec.reason.strip()}")
    whole = spec.order_line_ids is None
    kind = OrderEventType.CANCELLED if whole else OrderEventType.LINES_CANCELLED
    await record_event(uow, order, kind, spec.reason.strip(),
                       {"reason": spec.reason.strip(),
                        "lines": [{"sku": line.sku, "quantity": units}
                                  for line, units in cancelled]})
    worth = sum((Decimal(line.unit_price) * units for line, units in cancelled), Decimal(0))
    await payments.void(uow, order, worth)
    await invoice_if_complete(uow, order)  # what is left of it may all have shipped
    await credit.release_cancelled(order, worth)
    return order


def _chosen(lines: list[OrderLine], spec: CancelSpec) -> list[OrderLine]:
    if spec.order_line_ids is None:
        if not any(remaining(line) for line in lines):
            raise DomainError.of(ErrorCode.NOT_CANCELLABLE,
                                 "nothing left to cancel: every unit shipped or cancelled")
        return [line for line in lines if remaining(line)]
    by_id = {str(line.id): line for line in lines}
    problems = Problems()
    for i, line_id in enumerate(spec.order_line_ids):
        line = by_id.get(str(line_id).lower())
        if line is None:
            problems.add(ErrorCode.NOT_FOUND, f"no line {line_id} in this order",
                         "orderLineIds", i)
        elif not remaining(line):
            problems.add(ErrorCode.NOT_CANCELLABLE,
                         f"{line.sku}: {line.shipped_quantity} shipped and "
                         f"{line.cancelled_quantity} cancelled, nothing left to cancel",
                         "orderLineIds", i)
    problems.raise_if_any()
    return list({str(line_id).lower(): by_id[str(line_id).lower()]
                 for line_id in spec.order_line_ids}.values())


async def _cancel_lines(lines: list[OrderLine],
                        held: list[FulfillmentLine]) -> list[tuple[OrderLine, int]]:
    released: dict[str, int] = defaultdict(int)
    for row in held:
        released[str(row.order_line_id)] += row.quantity
    cancelled = []
    for line in lines:
        units = remaining(line)
        line.allocated_quantity -= released[str(line.id)]
        line.backordered_quantity = 0
        line.cancelled_quantity += units
        await line.save(update_fields=["allocated_quantity", "backordered_quantity",
                                       "cancelled_quantity"])
        cancelled.append((line, units))
    return cancelled


async def cancel_emptied(order: Order, fulfillment_ids: set[str], reason: str) -> None:
    """Cancel those of `fulfillment_ids` left without lines, saying `reason` (compare-and-set)."""
    still_used = {str(i) for i in await FulfillmentLine.filter(
        fulfillment_id__in=list(fulfillment_ids)).values_list("fulfillment_id", flat=True)}
    for fulfillment in await Fulfillment.filter(id__in=list(fulfillment_ids - still_used)):
        previous = transition(fulfillment, FulfillmentStatus.CANCELLED, order.delivery_method)
        fulfillment.reason = reason
        await FULFILLMENT.persist(fulfillment, previous, "reason")
