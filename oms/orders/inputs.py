"""What a client asks for: an order or a cart hold, as plain frozen data."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from oms.enums import DeliveryMethod


@dataclass(frozen=True)
class Price:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class LineSpec:
    sku: str
    quantity: int
    unit_price: Price


@dataclass(frozen=True)
class PaymentSpec:
    reference: str
    amount: Price
    authorized: bool = True


@dataclass(frozen=True)
class OrderSpec:
    channel: str
    customer_email: str
    delivery_method: DeliveryMethod
    lines: list[LineSpec]
    customer_ref: str | None = None
    shipping_address: dict[str, Any] | None = None
    pickup_node_code: str | None = None
    payment: PaymentSpec | None = None
    reservation_id: str | None = None
    idempotency_key: str | None = None
    company_code: str | None = None
    purchase_order_number: str | None = None
    shipping_service_code: str | None = None
    "None: the cheapest service that can deliver (when rates are configured)."

    @property
    def total(self) -> Decimal:
        """Sum of quantity x unit price over the lines (the goods, without shipping)."""
        return sum((line.unit_price.amount * line.quantity for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class HoldLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class ReserveSpec:
    channel: str
    lines: list[HoldLine] = field(default_factory=list)
    ttl_seconds: int = 900
    customer_email: str | None = None
    "Who holds the cart, so an expired hold (an abandoned cart) can be followed up."
