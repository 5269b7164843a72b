"""Payments behind the provider slot: a different provider plugs in without order code changes."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from oms.enums import PaymentTransactionKind
from oms.models import PaymentTransaction
from oms.payments import PaymentRequest, PaymentResult
from tests.helpers import positions
from tests.journeys import codes, events, fulfillment_at, order, place_paid, ship, walk
from tests.order_helpers import PLACE, network, order_input, stock


class Declining:
    """A provider that refuses to capture more than a limit, and remembers what it was asked."""

    name = "declining"

    def __init__(self, limit: Decimal) -> None:
        self.limit = limit
        self.asked: list[tuple[str, Decimal]] = []

    async def authorize(self, request: PaymentRequest) -> PaymentResult:
        self.asked.append(("authorize", request.amount))
        if request.amount > self.limit:
            return PaymentResult(False, None, "insufficient funds")
        return PaymentResult(True, request.reference or "auth-1")

    async def capture(self, request: PaymentRequest) -> PaymentResult:
        self.asked.append(("capture", request.amount))
        if request.amount > self.limit:
            return PaymentResult(False, None, "card limit")
        return PaymentResult(True, f"cap-{request.amount}")

    async def void(self, request: PaymentRequest) -> PaymentResult:
        return PaymentResult(True, request.reference)

    async def refund(self, request: PaymentRequest) -> PaymentResult:
        return PaymentResult(True, request.reference)


@pytest.fixture
def declining(app: Any) -> Iterator[Declining]:
    """The provider of the app's runtime (the one slot), for the test."""
    runtime = app.state.runtime
    provider, previous = Declining(Decimal("15.00")), runtime.payments
    runtime.payments = provider
    yield provider
    runtime.payments = previous


async def test_a_declined_capture_refuses_the_shipment_and_writes_nothing(
        api: Any, declining: Declining) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    placed = await place_paid(api, ("A", 2))
    fid = fulfillment_at(placed, "MIL")["id"]
    await walk(api, fid, "accept", "pick", "pack")
    refused = await ship(api, fid)
    assert codes(refused) == ["PAYMENT_DECLINED"]
    assert "card limit" in refused["userErrors"][0]["message"]
    assert declining.asked == [("capture", Decimal("20.00"))], "placed as already authorized"
    after = await order(api, placed["id"])
    assert fulfillment_at(after, "MIL")["status"] == "PACKED"
    assert after["paymentStatus"] == "AUTHORIZED"
    assert (await positions(api, "A"))["MIL"]["onHand"] == 5
    assert "FULFILLMENT_SHIPPED" not in events(after)


async def test_each_accepted_movement_is_a_transaction_of_the_provider_in_the_slot(
        api: Any, declining: Declining) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    placed = await place_paid(api, ("A", 1))
    await walk(api, fulfillment_at(placed, "MIL")["id"], "accept", "pick", "pack", "ship")
    rows = await PaymentTransaction.filter(order_id=placed["id"]).order_by("id").values_list(
        "kind", "amount", "provider", "reference")
    assert [(str(k), a, p, r) for k, a, p, r in rows] == [
        (PaymentTransactionKind.AUTHORIZE, Decimal("10.00"), "declining", "psp-1"),
        (PaymentTransactionKind.CAPTURE, Decimal("10.00"), "declining", "cap-10.00"),
    ]
    assert (await order(api, placed["id"]))["paymentStatus"] == "CAPTURED"


def unpaid(amount: str, *lines: tuple[str, int]) -> dict[str, Any]:
    return order_input(*lines, payment={"reference": "card-1", "authorized": False,
                                        "amount": {"amount": amount, "currency": "EUR"}})


async def test_an_unauthorized_payment_is_asked_of_the_provider(api: Any,
                                                                 declining: Declining) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    data = await api(PLACE, {"input": unpaid("10.00", ("A", 1))})
    assert data["placeOrder"]["order"]["paymentStatus"] == "AUTHORIZED"
    assert declining.asked == [("authorize", Decimal("10.00"))]


async def test_a_declined_authorization_refuses_the_order_and_writes_nothing(
        api: Any, declining: Declining) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    data = await api(PLACE, {"input": unpaid("20.00", ("A", 2))})
    assert data["placeOrder"]["order"] is None
    assert [e["code"] for e in data["placeOrder"]["userErrors"]] == ["PAYMENT_DECLINED"]
    assert (await positions(api, "A"))["MIL"]["reserved"] == 0
    assert (await api("{ orders { totalCount } }"))["orders"]["totalCount"] == 0
    assert await PaymentTransaction.all().count() == 0
