"""What a placement charges for shipping, once the order is sourced.

With rates configured, a ship-to-address order is charged the chosen service's price for
the parcels the decision makes (one per node; units backordered now travel later at no
further charge), and the payment must cover goods plus shipping. With none, nothing is
charged and nothing is checked here (the payment was checked against the goods).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from oms.errors import DomainError, ErrorCode
from oms.orders.inputs import OrderSpec
from oms.orders.validation import CheckedOrder
from oms.shipping.quotes import choose, quotes
from oms.sourcing import Decision


@dataclass(frozen=True)
class Charge:
    service_code: str
    total: Decimal
    parcel_prices: dict[str, Decimal]
    "Per node code."


def destination_country(spec: OrderSpec) -> str | None:
    country = (spec.shipping_address or {}).get("country")
    return str(country).upper() if country else None


def shipping_charge(checked: CheckedOrder, decision: Decision) -> Charge | None:
    """The service and prices this order is charged (None: shipping is not charged), or
    SHIPPING_UNAVAILABLE; the payment, when there is one, must cover the grand total."""
    spec = checked.spec
    table = checked.shipping
    if table is None:
        if spec.shipping_service_code and checked.pickup_node is None:
            raise DomainError.of(ErrorCode.SHIPPING_UNAVAILABLE, "no shipping rates are set "
                                 f"for {checked.channel.currency}", "shippingServiceCode")
        return None
    quote = choose(quotes(table, decision, destination_country(spec), spec.total),
                   spec.shipping_service_code)
    _check_paid(spec, quote.price)
    return Charge(quote.service.code, quote.price, quote.parcel_prices)


def _check_paid(spec: OrderSpec, shipping: Decimal) -> None:
    payment = spec.payment
    expected = spec.total + shipping
    if payment is None or payment.amount.amount == expected:
        return
    raise DomainError.of(ErrorCode.TOTAL_MISMATCH,
                         f"payment {payment.amount.amount} differs from the order's total "
                         f"{expected} (goods {spec.total} + shipping {shipping})",
                         "payment", "amount", "amount")
