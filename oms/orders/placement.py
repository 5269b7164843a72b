"""placeOrder: validate, source, hold, and write the whole order in the caller's transaction.

Order of work: idempotency claim, checks (nothing written on a refusal), cart hold
hand-over (its units are given back in the holding pass), sourcing with holds, the
payment authorization (in memory) or, for a company on payment terms, the credit hold (its
row locked after the stock), the order's rows, its history, and the order
number, taken after the unit of work's flush (`UnitOfWork.last`): its counter row
stays locked until commit, so it is locked last.
"""
from __future__ import annotations

import uuid

from oms import credit, payments
from oms.auth import Principal
from oms.clock import now
from oms.enums import OrderStatus, StockReason
from oms.errors import DomainError, ErrorCode, Problem
from oms.models import Order, PaymentTransaction
from oms.orders import idempotency, reservations
from oms.orders.allocate import source_and_hold
from oms.orders.history import announce
from oms.orders.inputs import OrderSpec
from oms.orders.validation import CheckedOrder, check_order
from oms.orders.writing import OrderDraft, announce_fulfillments
from oms.routing.rules import engine_rules
from oms.routing.snapshot import channel_view, destination
from oms.sequences import number_row
from oms.shipping.charges import shipping_charge
from oms.sourcing import SourcingRequest, select_rule
from oms.uow import UnitOfWork


async def place_order(uow: UnitOfWork, principal: Principal | None, spec: OrderSpec) -> Order:
    """Place `spec` as `principal`; a retry with the same idempotency key returns the first order."""
    if spec.idempotency_key:
        earlier = await idempotency.claim(spec.idempotency_key, spec)
        if earlier is not None:
            return _replayed(principal, spec, earlier)
    checked = await check_order(spec, principal)
    channel = checked.channel
    freed = await reservations.consume(spec.reservation_id, channel) \
        if spec.reservation_id else []
    order = _new_order(checked, principal.name if principal else None)
    rule = select_rule(await engine_rules(), channel.code, spec.delivery_method, now())
    decision, node_ids = await source_and_hold(
        uow, channel, sourcing_request(checked), rule, f"order:{order.id}", StockReason.ORDER, freed)
    if decision.backordered and not rule.allow_backorder:
        raise DomainError([_short(spec, sku, units) for sku, units in decision.backordered])
    draft = OrderDraft.of(order, spec, decision, node_ids, shipping_charge(checked, decision))
    events = draft.events(channel.code)
    if order.on_account and checked.company is not None:
        await credit.hold_credit(checked.company, order.total)
    await draft.save(await _payment(uow, order, spec), events)
    for event in events:
        announce(uow, order, event, channel.code)
    announce_fulfillments(uow, draft.fulfillments, channel.code, node_ids)
    uow.last(lambda: _number(uow, order, channel.order_prefix))
    return order


def _replayed(principal: Principal | None, spec: OrderSpec, earlier: Order) -> Order:
    """The first order of a retried request, only to a caller that may act on its channel
    (the request names it): a key is no way around a token's channel limits."""
    if principal is not None and not principal.sees_channel(spec.channel):
        raise DomainError.of(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {spec.channel!r}",
                             "channel")
    return earlier


async def _number(uow: UnitOfWork, order: Order, prefix: str) -> None:
    """The order's number, taken last before commit: every order of the channel waits on
    its counter row from here to commit."""
    order.number = await number_row(uow, "order", order.id, prefix)


def _short(spec: OrderSpec, sku: str, units: int) -> Problem:
    index = next(i for i, line in enumerate(spec.lines) if line.sku == sku)
    return Problem(ErrorCode.INSUFFICIENT_STOCK,
                   f"{units} of {sku} cannot be sourced now and the rule allows no backorder",
                   ("lines", str(index), "quantity"))


def sourcing_request(checked: CheckedOrder) -> SourcingRequest:
    """What the engine is asked for this order."""
    spec = checked.spec
    pickup = checked.pickup_node.code if checked.pickup_node else None
    return SourcingRequest(channel_view(checked.channel), spec.delivery_method,
                           destination(spec.delivery_method, spec.shipping_address), pickup,
                           tuple((line.sku, line.quantity) for line in spec.lines),
                           shipping=checked.shipping)


def _new_order(checked: CheckedOrder, placed_by: str | None) -> Order:
    spec = checked.spec
    order_id = uuid.uuid4()
    return Order(
        id=order_id, number=f"~{order_id.hex[:31]}", channel_id=checked.channel.id,
        status=OrderStatus.CREATED, customer_email=spec.customer_email.strip(),
        customer_ref=spec.customer_ref, delivery_method=spec.delivery_method,
        shipping_address=spec.shipping_address,
        pickup_node_id=checked.pickup_node.id if checked.pickup_node else None,
        currency=checked.channel.currency, total=spec.total,
        payment_reference=spec.payment.reference if spec.payment else None,
        idempotency_key=spec.idempotency_key,
        idempotency_fingerprint=idempotency.fingerprint(spec) if spec.idempotency_key else None,
        company_id=checked.company.id if checked.company else None,
        purchase_order_number=spec.purchase_order_number,
        on_account=credit.on_terms(checked.company),
        placed_by=placed_by, created_at=now(),
    )


async def _payment(uow: UnitOfWork, order: Order, spec: OrderSpec) -> PaymentTransaction | None:
    """The order's authorization: recorded as the client says when it already authorized,
    else asked of the provider; a decline refuses the order (PAYMENT_DECLINED, nothing
    written)."""
    payment = spec.payment
    if payment is None:
        return None
    made = await payments.authorize(uow, order, payment.amount.amount, payment.reference,
                                    already_authorized=payment.authorized)
    if made is None:
        raise DomainError.of(ErrorCode.PAYMENT_DECLINED,
                             f"{uow.payments.name} declined to authorize {payment.amount.amount} "
                             f"{payment.amount.currency}", "payment")
    return made
