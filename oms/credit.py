"""Orders on account: a company on payment terms (NET_30, NET_60) orders without a payment
authorization; the order's total is held against the company's credit until paid.

The hold is checked and taken with the company row locked (`oms.locks.lock_company`), so
two concurrent orders cannot both pass the limit; `recordPayment` records the money as
an authorization captured at once (the order's payment status follows, and a later
refund pays it back) and gives the credit back; cancelled units give back what of their
value is unpaid.
"""
from __future__ import annotations

from decimal import Decimal

from oms.auth import Principal
from oms.enums import OrderEventType, PaymentTerms, PaymentTransactionKind
from oms.errors import DomainError, ErrorCode, Problems
from oms.fulfillment.lookup import lock_order
from oms.locks import lock_company
from oms.models import Channel, Company, Order, OrderLine, PaymentTransaction
from oms.orders.history import record_event
from oms.orders.inputs import OrderSpec, Price
from oms.payments import money, payment_totals
from oms.payments.service import settle
from oms.token_limits import sees_company
from oms.uow import UnitOfWork

PROVIDER = "account"
"The provider named on payments recorded by hand (bank transfers of orders on account)."


def on_terms(company: Company | None) -> bool:
    return company is not None and company.payment_terms is not PaymentTerms.PREPAID


async def check_company(problems: Problems, spec: OrderSpec, channel: Channel | None,
                        principal: Principal | None) -> Company | None:
    """The company an order names (a company's token: its own, named or not), or a problem
    at companyCode: NOT_FOUND when unknown or not the caller's to use."""
    code = spec.company_code or (principal.company_code if principal else None)
    if code is None:
        if spec.purchase_order_number is not None:
            problems.add(ErrorCode.INVALID_INPUT, "a purchaseOrderNumber needs a companyCode",
                         "purchaseOrderNumber")
        return None
    company = await Company.get_or_none(code=code[:64])
    if company is None or company.code != code or not sees_company(principal, company):
        problems.add(ErrorCode.NOT_FOUND, f"no company {code!r}", "companyCode")
        return None
    if channel is not None and company.channels and channel.code not in company.channels:
        problems.add(ErrorCode.INVALID_INPUT,
                     f"company {code} does not buy through channel {channel.code}", "companyCode")
    if on_terms(company):
        _check_on_terms(problems, spec, company, channel)
    return company


def _check_on_terms(problems: Problems, spec: OrderSpec, company: Company,
                    channel: Channel | None) -> None:
    if spec.payment is not None:
        problems.add(ErrorCode.INVALID_INPUT, f"company {company.code} pays on "
                     f"{company.payment_terms}: an order on account takes no payment", "payment")
    if channel is not None and channel.currency != company.currency:
        problems.add(ErrorCode.CURRENCY_MISMATCH, f"company {company.code}'s credit is in "
                     f"{company.currency}, channel {channel.code} sells in {channel.currency}",
                     "companyCode")


async def hold_credit(company: Company, amount: Decimal) -> None:
    """Hold `amount` of the company's credit, or refuse with CREDIT_LIMIT_EXCEEDED."""
    locked = await lock_company(company.id)
    used = Decimal(locked.credit_used)
    if locked.credit_limit is not None and used + amount > Decimal(locked.credit_limit):
        left = max(Decimal(0), Decimal(locked.credit_limit) - used)
        raise DomainError.of(ErrorCode.CREDIT_LIMIT_EXCEEDED,
                             f"company {locked.code} has {left} {locked.currency} of credit "
                             f"left; this order needs {amount}", "companyCode")
    locked.credit_used = money(used + amount)
    await locked.save(update_fields=["credit_used", "updated_at"])


async def release_credit(order: Order, amount: Decimal) -> None:
    """Give `amount` of an order on account's hold back to its company."""
    if not order.on_account or order.company_id is None or amount <= 0:
        return
    locked = await lock_company(order.company_id)
    locked.credit_used = money(max(Decimal(0), Decimal(locked.credit_used) - amount))
    await locked.save(update_fields=["credit_used", "updated_at"])


async def outstanding(order: Order) -> Decimal:
    """What is still owed on an order: the value of its units not cancelled, less what was
    paid (captured)."""
    rows = await OrderLine.filter(order_id=order.id).values_list(
        "unit_price", "quantity", "cancelled_quantity")
    value = sum((Decimal(price) * (qty - cancelled) for price, qty, cancelled in rows), Decimal(0))
    return max(Decimal(0), money(value) - (await payment_totals(order)).captured)


async def release_cancelled(order: Order, worth: Decimal) -> None:
    """After units worth `worth` were cancelled: give back what of it was still unpaid."""
    if order.on_account:
        await release_credit(order, min(worth, await outstanding(order) + worth))


async def record_payment(uow: UnitOfWork, principal: Principal, order_id: str, amount: Price,
                         reference: str) -> Order:
    """Record that an order on account was (partly) paid: at most what is outstanding."""
    order = await lock_order(principal, order_id, "orderId")
    owed = await outstanding(order) if order.on_account else Decimal(0)
    _check_payment(order, amount, reference, owed)
    paid = money(amount.amount)
    for kind in (PaymentTransactionKind.AUTHORIZE, PaymentTransactionKind.CAPTURE):
        await PaymentTransaction.create(order_id=order.id, kind=kind, amount=paid,
                                        currency=order.currency, provider=PROVIDER,
                                        reference=reference.strip())
        await settle(order)  # PENDING -> AUTHORIZED -> CAPTURED, as the payment table goes
    await release_credit(order, paid)
    await record_event(uow, order, OrderEventType.PAYMENT_RECORDED,
                       f"paid {paid} {order.currency} ({reference.strip()})",
                       {"amount": str(paid), "currency": order.currency,
                        "reference": reference.strip(), "outstanding": str(owed - paid)})
    return order


def _check_payment(order: Order, amount: Price, reference: str, owed: Decimal) -> None:
    problems = Problems()
    if not order.on_account:
        problems.add(ErrorCode.INVALID_INPUT, f"order {order.number} is not on account: its "
                     "payment comes through the payment provider", "orderId")
    if amount.currency != order.currency:
        problems.add(ErrorCode.CURRENCY_MISMATCH, f"order {order.number} is in {order.currency}",
                     "amount", "currency")
    if not reference.strip() or len(reference.strip()) > 200:
        problems.add(ErrorCode.INVALID_INPUT, "give the payment's reference (at most 200 "
                     "characters)", "reference")
    if order.on_account and not Decimal(0) < amount.amount <= owed:
        problems.add(ErrorCode.INVALID_INPUT, f"amount must be more than 0 and at most the "
                     f"{owed} {order.currency} outstanding", "amount", "amount")
    problems.raise_if_any()
