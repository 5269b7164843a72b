"""The payment workflow: its table, and the payment status worked out from transactions.

The status is derived from the sums of the order's transactions (authorized,
captured, voided, refunded); `transition` checks the move against the table and is
the only writer of `Order.payment_status`.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from oms.enums import PaymentStatus as PS
from oms.enums import PaymentTransactionKind as Kind
from oms.models import Order
from oms.workflow import Workflow

PAYMENT = Workflow("payment", PS.PENDING, {
    PS.PENDING: frozenset({PS.AUTHORIZED, PS.FAILED}),
    PS.FAILED: frozenset({PS.AUTHORIZED}),
    PS.AUTHORIZED: frozenset({PS.PARTIALLY_CAPTURED, PS.CAPTURED, PS.VOIDED}),
    PS.PARTIALLY_CAPTURED: frozenset({PS.CAPTURED, PS.PARTIALLY_REFUNDED, PS.REFUNDED}),
    PS.CAPTURED: frozenset({PS.PARTIALLY_REFUNDED, PS.REFUNDED}),
    PS.PARTIALLY_REFUNDED: frozenset({PS.REFUNDED}),
    PS.REFUNDED: frozenset(),
    PS.VOIDED: frozenset(),
}, column="payment_status")

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PaymentTotals:
    """Sums of an order's transactions by kind."""

    authorized: Decimal = ZERO
    captured: Decimal = ZERO
    voided: Decimal = ZERO
    refunded: Decimal = ZERO

    @classmethod
    def of(cls, rows: list[tuple[str, Decimal]]) -> PaymentTotals:
        """Totals from (kind, amount) pairs."""
        sums = {kind: ZERO for kind in Kind}
        for kind, amount in rows:
            sums[Kind(kind)] += Decimal(amount)
        return cls(sums[Kind.AUTHORIZE], sums[Kind.CAPTURE], sums[Kind.VOID], sums[Kind.REFUND])

    @property
    def open(self) -> Decimal:
        """Authorized, and neither captured nor voided yet."""
        return max(ZERO, self.authorized - self.captured - self.voided)

    @property
    def refundable(self) -> Decimal:
        """Captured and not refunded yet."""
        return max(ZERO, self.captured - self.refunded)


def derive_payment_status(totals: PaymentTotals) -> PS:
    """The payment status these totals amount to."""
    if not totals.authorized and not totals.captured:
        return PS.PENDING
    if totals.refunded:
        fully = totals.refunded >= totals.captured and not totals.open
        return PS.REFUNDED if fully else PS.PARTIALLY_REFUNDED
    if totals.captured:
        return PS.PARTIALLY_CAPTURED if totals.open else PS.CAPTURED
    if totals.voided >= totals.authorized:
        return PS.VOIDED
    return PS.AUTHORIZED


def transition(order: Order, target: PS) -> bool:
    """Move the order's payment status to `target` if it differs; True when it changed."""
    if order.payment_status == target:
        return False
    PAYMENT.move(order, target)
    return True
