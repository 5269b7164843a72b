"""Payments: a provider strategy behind one slot, and the service that moves money."""
from __future__ import annotations

from oms.payments.provider import (
    LedgerPaymentProvider,
    PaymentProvider,
    PaymentRequest,
    PaymentResult,
    payment_provider,
    use_payment_provider,
)
from oms.payments.service import authorize, capture, money, payment_totals, refund, void
from oms.payments.status import PAYMENT, PaymentTotals, derive_payment_status

__all__ = [
    "PAYMENT", "LedgerPaymentProvider", "PaymentProvider", "PaymentRequest", "PaymentResult",
    "PaymentTotals", "authorize", "capture", "derive_payment_status", "money", "payment_provider",
    "payment_totals", "refund", "use_payment_provider", "void",
]
