"""The payment provider strategy: a small interface, one built-in provider, one slot.

Order code never calls a provider directly: `oms.payments.service` reaches the
provider of the unit of work (`UnitOfWork.payments`, the runtime's), and writes a `PaymentTransaction`
row for every movement the provider accepts, whichever provider it is.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class PaymentRequest:
    """Money to move for one order, against the provider's reference for its payment."""

    order_id: str
    reference: str | None
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class PaymentResult:
    """What the provider answered: accepted or not, its reference, and why if not."""

    ok: bool
    reference: str | None = None
    message: str | None = None


class PaymentProvider(Protocol):
    """What a payment provider must do. Each call is one movement of money."""

    name: str

    async def authorize(self, request: PaymentRequest) -> PaymentResult: ...

    async def capture(self, request: PaymentRequest) -> PaymentResult: ...

    async def void(self, request: PaymentRequest) -> PaymentResult: ...

    async def refund(self, request: PaymentRequest) -> PaymentResult: ...


class LedgerPaymentProvider:
    """The built-in provider: accepts every movement, calls nobody.

    The transactions the service records are the whole of it: the database is the ledger.
    """

    name = "ledger"

    async def authorize(self, request: PaymentRequest) -> PaymentResult:
        return PaymentResult(True, request.reference or f"ledger-{uuid.uuid4().hex[:12]}")

    async def capture(self, request: PaymentRequest) -> PaymentResult:
        return PaymentResult(True, request.reference)

    async def void(self, request: PaymentRequest) -> PaymentResult:
        return PaymentResult(True, request.reference)

    async def refund(self, request: PaymentRequest) -> PaymentResult:
        return PaymentResult(True, request.reference)
