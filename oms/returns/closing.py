"""Closing a return without goods: rejected by the retailer or cancelled by the customer.

Nothing is restocked and nothing refunded; the units may be asked back again
(`oms.returns.service.returnable` counts only open, received and refunded returns).
"""
from __future__ import annotations

from oms.auth import Principal
from oms.enums import OrderEventType, ReturnStatus
from oms.errors import DomainError, ErrorCode
from oms.models import Return
from oms.orders.history import record_event
from oms.returns.service import find_return
from oms.returns.transitions import RETURN, transition
from oms.text import reason_problem
from oms.uow import UnitOfWork


async def reject_return(uow: UnitOfWork, principal: Principal, return_id: str,
                        reason: str) -> Return:
    """Refuse a requested return (REJECTED): nothing restocked, nothing refunded."""
    if problem := reason_problem(reason):
        raise DomainError.of(ErrorCode.INVALID_INPUT, problem, "reason")
    return await _close(uow, principal, return_id, ReturnStatus.REJECTED,
                        OrderEventType.RETURN_REJECTED, reason.strip())


async def cancel_return(uow: UnitOfWork, principal: Principal, return_id: str) -> Return:
    """The customer withdraws a return not yet received (CANCELLED); a customer token
    finds the returns of its own orders only (`find_return`)."""
    return await _close(uow, principal, return_id, ReturnStatus.CANCELLED,
                        OrderEventType.RETURN_CANCELLED, None)


async def _close(uow: UnitOfWork, principal: Principal, return_id: str, target: ReturnStatus,
                 event: OrderEventType, reason: str | None) -> Return:
    rma, order = await find_return(principal, return_id, "returnId")
    previous = transition(rma, target)
    await RETURN.persist(rma, previous)
    word = "rejected" if target is ReturnStatus.REJECTED else "cancelled"
    await record_event(uow, order, event, f"return {rma.number} {word}" +
                       (f": {reason}" if reason else ""),
                       {"return_id": str(rma.id), "number": rma.number, "reason": reason})
    return rma
