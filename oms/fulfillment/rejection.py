"""rejectFulfillment: the node cannot do it, so its holds are released and its lines go
back to sourcing away from every node that rejected them; what nothing can take waits."""
from __future__ import annotations

from oms import inventory
from oms.auth import Principal
from oms.enums import FulfillmentStatus, OrderEventType, StockReason
from oms.errors import DomainError, ErrorCode
from oms.fulfillment.resourcing import rejected_by, resource_lines
from oms.fulfillment.work import Work, move
from oms.inventory import Release
from oms.models import OrderLine
from oms.orders.history import record_event
from oms.orders.writing import allocation_data, allocation_event
from oms.text import reason_problem
from oms.uow import UnitOfWork


async def reject(uow: UnitOfWork, principal: Principal, fulfillment_id: str, reason: str) -> Work:
    """Refuse the fulfillment (PENDING or ACCEPTED only) and re-source its lines."""
    if problem := reason_problem(reason):
        raise DomainError.of(ErrorCode.INVALID_INPUT, problem, "reason")
    work = await Work.load(principal, fulfillment_id)
    work.fulfillment.reason = reason.strip()
    await move(work, FulfillmentStatus.REJECTED, "reason")
    await inventory.release_holds(uow, [
        Release(line.sku, work.node.id, line.quantity, StockReason.REJECTED, work.reference)
        for line in work.lines])
    wanted = await _give_back(work)
    excluded = await rejected_by([line for line, _ in wanted])
    await record_event(uow, work.order, OrderEventType.FULFILLMENT_REJECTED,
                       f"{work.node.code} rejected: {reason.strip()}",
                       work.data(reason=reason.strip(), excluded_nodes=sorted(excluded)))
    decision = await resource_lines(uow, work.order, wanted, excluded)
    nodes = ", ".join(decision.node_codes) or "no node"
    await record_event(uow, work.order, allocation_event(decision),
                       f"re-sourced by rule {decision.rule.name} to {nodes}",
                       {**allocation_data(decision), "excluded_nodes": sorted(excluded)})
    return work


async def _give_back(work: Work) -> list[tuple[OrderLine, int]]:
    """Take the rejected units off the lines' allocation; returns (line, units) to re-source."""
    units: dict[str, int] = {}
    for line in work.lines:
        key = str(line.order_line_id)
        units[key] = units.get(key, 0) + line.quantity
    order_lines = await OrderLine.filter(id__in=list(units)).order_by("position")
    for order_line in order_lines:
        order_line.allocated_quantity -= units[str(order_line.id)]
    return [(order_line, units[str(order_line.id)]) for order_line in order_lines]
