"""Money follows the goods: authorize at placement (in memory, saved with the new order),
capture what ships, void what is cancelled before capture, refund what comes back.

Every accepted movement is a `PaymentTransaction` row; the order's payment status is
derived from their sums after each one.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from oms.enums import OrderEventType, PaymentStatus, PaymentTransactionKind
from oms.errors import DomainError, ErrorCode
from oms.models import Order, PaymentTransaction
from oms.orders.history import record_event
from oms.payments.provider import PaymentProvider, PaymentRequest, PaymentResult
from oms.payments.status import PAYMENT, ZERO, PaymentTotals, derive_payment_status, transition
from oms.uow import UnitOfWork

CENT = Decimal("0.01")
Kind = PaymentTransactionKind
EVENT_OF = {Kind.CAPTURE: OrderEventType.PAYMENT_CAPTURED, Kind.VOID: OrderEventType.PAYMENT_VOIDED}
"Order events for money movements (a refund is told by the return's REFUNDED event)."


def money(amount: Decimal | int | str) -> Decimal:
    """An amount rounded to cents."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


async def payment_totals(order: Order) -> PaymentTotals:
    """Sums of the order's transactions by kind."""
    rows = await PaymentTransaction.filter(order_id=order.id).values_list("kind", "amount")
    return PaymentTotals.of(list(rows))


async def authorize(uow: UnitOfWork, order: Order, amount: Decimal, reference: str | None,
                    already_authorized: bool = True) -> PaymentTransaction | None:
    """The authorization of `amount` for a new order, before its row is saved (asking the
    provider unless it already authorized it): the order's payment status and reference
    are set in memory, to be saved with it, and the transaction returned, to be saved after
    it. A declined authorization leaves the order's payment FAILED and returns None."""
    provider = uow.payments
    result = PaymentResult(True, reference)
    if not already_authorized:
        result = await provider.authorize(_request(order, reference, money(amount)))
    if not result.ok:
        transition(order, PaymentStatus.FAILED)
        return None
    order.payment_reference = result.reference or reference
    transition(order, derive_payment_status(PaymentTotals(authorized=money(amount))))
    return _transaction(provider, order, Kind.AUTHORIZE, money(amount), order.payment_reference)


async def capture(uow: UnitOfWork, order: Order, amount: Decimal) -> Decimal:
    """Capture up to `amount` of what is still authorized; returns what was captured."""
    wanted = min(money(amount), (await payment_totals(order)).open)
    return await _move(uow, order, Kind.CAPTURE, wanted)


async def void(uow: UnitOfWork, order: Order, amount: Decimal) -> Decimal:
    """Release up to `amount` of the authorization not captured; returns what was voided."""
    wanted = min(money(amount), (await payment_totals(order)).open)
    return await _move(uow, order, Kind.VOID, wanted)


async def refund(uow: UnitOfWork, order: Order, amount: Decimal) -> Decimal:
    """Give back up to `amount` of what was captured; returns what was refunded."""
    wanted = min(money(amount), (await payment_totals(order)).refundable)
    return await _move(uow, order, Kind.REFUND, wanted)


async def _move(uow: UnitOfWork, order: Order, kind: PaymentTransactionKind, amount: Decimal) -> Decimal:
    if amount <= ZERO:
        return ZERO
    provider = uow.payments
    call = {
        Kind.CAPTURE: provider.capture, Kind.VOID: provider.void, Kind.REFUND: provider.refund,
    }[kind]
    result = await call(_request(order, order.payment_reference, amount))
    if not result.ok:
        raise DomainError.of(ErrorCode.PAYMENT_DECLINED,
                             f"{provider.name} declined to {kind.lower()} {amount} "
                             f"{order.currency}: {result.message or 'no reason given'}")
    await _transaction(provider, order, kind, amount,
                       result.reference or order.payment_reference).save(force_create=True)
    await _settle(order)
    if kind in EVENT_OF:
        await record_event(uow, order, EVENT_OF[kind], f"{kind.lower()} {amount} {order.currency}",
                           {"amount": str(amount), "currency": order.currency,
                            "provider": provider.name})
    return amount


def _request(order: Order, reference: str | None, amount: Decimal) -> PaymentRequest:
    return PaymentRequest(str(order.id), reference, amount, order.currency)


def _transaction(provider: PaymentProvider, order: Order, kind: PaymentTransactionKind,
                 amount: Decimal, reference: str | None) -> PaymentTransaction:
    return PaymentTransaction(order_id=order.id, kind=kind, amount=amount,
                              currency=order.currency, provider=provider.name,
                              reference=reference)


async def settle(order: Order) -> None:
    """Store the payment status the order's transactions now amount to."""
    await _settle(order)


async def _settle(order: Order, extra_fields: list[str] | None = None) -> None:
    await _store(order, derive_payment_status(await payment_totals(order)), extra_fields or [])


async def _store(order: Order, target: PaymentStatus, extra_fields: list[str] | None = None) -> None:
    """Move the payment status to `target` through its table, compare-and-set; `extra_fields`
    are saved with it (or alone when the status stays)."""
    previous = order.payment_status
    if transition(order, target):
        await PAYMENT.persist(order, previous, *(extra_fields or []))
    elif extra_fields:
        await order.save(update_fields=[*extra_fields, "updated_at"])
