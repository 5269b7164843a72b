"""Payments: a provider strategy (the runtime's, reached through the unit of work), and the
service that moves money."""
from __future__ import annotations

from oms.payments.provider import (
    LedgerPaymentProvider,
    PaymentProvider,
    PaymentRequest,
    PaymentResult,
)
from oms.payments.service import authorize, capture, money, payment_totals, refund, void
from oms.payments.status import PAYMENT, PaymentTotals, derive_payment_status

__all__ = [
    "PAYMENT", "LedgerPaymentProvider", "PaymentProvider", "PaymentRequest", "PaymentResult",
    "PaymentTotals", "authorize", "capture", "derive_payment_status", "money", "payment_totals",
    "refund", "void",
]
