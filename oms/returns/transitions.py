"""The return (RMA) workflow: REQUESTED -> RECEIVED -> REFUNDED, or REJECTED/CANCELLED."""
from __future__ import annotations

from oms.enums import ReturnStatus as RS
from oms.errors import DomainError, ErrorCode
from oms.models import Return
from oms.workflow import Workflow

RETURN = Workflow("return", RS.REQUESTED, {
    RS.REQUESTED: frozenset({RS.RECEIVED, RS.REJECTED, RS.CANCELLED}),
    RS.RECEIVED: frozenset({RS.REFUNDED}),
    RS.REFUNDED: frozenset(),
    RS.REJECTED: frozenset(),
    RS.CANCELLED: frozenset(),
})


def transition(rma: Return, target: RS) -> RS:
    """Move the return to `target` (the only writer of its status); returns the old status."""
    if rma.status is RS.REFUNDED and target is RS.REFUNDED:
        raise DomainError.of(ErrorCode.ALREADY_REFUNDED, f"return {rma.number} is already refunded")
    return RETURN.move(rma, target)
