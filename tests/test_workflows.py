"""The transition tables: every state reachable, and every move outside the table refused."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from oms.enums import DeliveryMethod, FulfillmentStatus, PaymentStatus, ReturnStatus
from oms.errors import DomainError, ErrorCode
from oms.fulfillment import transitions as fulfillment
from oms.notifications.sender import NOTIFICATION
from oms.payments.status import PAYMENT, PaymentTotals, derive_payment_status
from oms.returns.transitions import RETURN
from oms.webhooks.transitions import DELIVERY
from oms.workflow import Workflow

pytestmark = pytest.mark.no_database

FS = FulfillmentStatus
SHIP, PICKUP = DeliveryMethod.SHIP_TO_ADDRESS, DeliveryMethod.PICKUP_IN_STORE


@pytest.mark.parametrize("workflow", [fulfillment.FULFILLMENT, RETURN, PAYMENT, DELIVERY,
                                      NOTIFICATION])
def test_every_state_is_reachable_from_the_start(workflow: Workflow) -> None:
    assert workflow.reachable() == set(type(workflow.initial))


def test_an_unreachable_state_fails_at_definition() -> None:
    with pytest.raises(RuntimeError, match="unreachable"):
        Workflow("broken", FS.PENDING, {FS.PENDING: frozenset({FS.ACCEPTED})})


def test_fulfillment_table_is_the_contract() -> None:
    ship_path = [FS.PENDING, FS.ACCEPTED, FS.PICKED, FS.PACKED, FS.SHIPPED, FS.DELIVERED]
    for current, target in zip(ship_path, ship_path[1:], strict=False):
        fulfillment.check(current, target, SHIP)
    for current, target in [(FS.PACKED, FS.READY_FOR_PICKUP), (FS.READY_FOR_PICKUP, FS.PICKED_UP)]:
        fulfillment.check(current, target, PICKUP)
    for current in (FS.PENDING, FS.ACCEPTED):
        fulfillment.check(current, FS.REJECTED, SHIP)
    for current in fulfillment.OPEN:
        fulfillment.check(current, FS.CANCELLED, PICKUP)
    assert fulfillment.FULFILLMENT.terminal() == {FS.DELIVERED, FS.PICKED_UP, FS.REJECTED,
                                                  FS.CANCELLED}


ILLEGAL = [
    (current, target)
    for current in FS for target in FS
    if not fulfillment.FULFILLMENT.allows(current, target)
]


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_move_outside_the_table_is_refused(current: FS, target: FS) -> None:
    method = PICKUP if target in (FS.READY_FOR_PICKUP, FS.PICKED_UP) else SHIP
    row = SimpleNamespace(status=current)
    with pytest.raises(DomainError) as refused:
        fulfillment.transition(row, target, method)  # type: ignore[arg-type]
    assert refused.value.problems[0].code is ErrorCode.INVALID_TRANSITION
    assert str(current) in refused.value.problems[0].message
    assert row.status is current


@pytest.mark.parametrize(("current", "target", "method"), [
    (FS.PACKED, FS.SHIPPED, PICKUP), (FS.SHIPPED, FS.DELIVERED, PICKUP),
    (FS.PACKED, FS.READY_FOR_PICKUP, SHIP), (FS.READY_FOR_PICKUP, FS.PICKED_UP, SHIP),
])
def test_moves_of_the_other_delivery_method_are_refused(current: FS, target: FS,
                                                        method: DeliveryMethod) -> None:
    row = SimpleNamespace(status=current)
    with pytest.raises(DomainError) as refused:
        fulfillment.transition(row, target, method)  # type: ignore[arg-type]
    assert refused.value.problems[0].code is ErrorCode.WRONG_DELIVERY_METHOD
    assert row.status is current


def test_returns_refund_once() -> None:
    assert RETURN.allows(ReturnStatus.RECEIVED, ReturnStatus.REFUNDED)
    assert not RETURN.allows(ReturnStatus.REQUESTED, ReturnStatus.REFUNDED)
    assert not RETURN.allows(ReturnStatus.REFUNDED, ReturnStatus.REFUNDED)


def _totals(**amounts: str) -> PaymentTotals:
    return PaymentTotals(**{k: Decimal(v) for k, v in amounts.items()})


@pytest.mark.parametrize(("totals", "status"), [
    (_totals(), PaymentStatus.PENDING),
    (_totals(authorized="100"), PaymentStatus.AUTHORIZED),
    (_totals(authorized="100", captured="40"), PaymentStatus.PARTIALLY_CAPTURED),
    (_totals(authorized="100", captured="40", voided="60"), PaymentStatus.CAPTURED),
    (_totals(authorized="100", voided="100"), PaymentStatus.VOIDED),
    (_totals(authorized="100", captured="100", refunded="30"), PaymentStatus.PARTIALLY_REFUNDED),
    (_totals(authorized="100", captured="100", refunded="100"), PaymentStatus.REFUNDED),
    (_totals(authorized="100", captured="50", refunded="50"), PaymentStatus.PARTIALLY_REFUNDED),
])
def test_payment_status_is_derived_from_transactions(totals: PaymentTotals,
                                                     status: PaymentStatus) -> None:
    assert derive_payment_status(totals) is status
