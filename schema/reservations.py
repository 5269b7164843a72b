"""Cart reservations: holds of stock for a channel until an order consumes them or they expire."""
from __future__ import annotations

from datetime import datetime

import strawberry

from oms import models
from oms.orders.abandoned import AbandonedCart as Abandoned
from oms.orders.inputs import HoldLine, ReserveSpec
from oms.orders.reservations import status_of
from schema.common import UserError


@strawberry.type
class ReservationLine:
    sku: str
    quantity: int


@strawberry.type
class Reservation:
    id: strawberry.ID
    channel: str
    lines: list[ReservationLine]
    expires_at: datetime
    status: str = strawberry.field(description=(
        "ACTIVE, CONSUMED, RELEASED or EXPIRED (a live hold past expiresAt is EXPIRED)."))
    customer_email: str | None = strawberry.field(
        default=None, description="Who holds the cart, so an expired hold can be followed up.")

    @classmethod
    def of(cls, row: models.Reservation, channel_code: str,
           lines: list[tuple[str, int]]) -> Reservation:
        totals: dict[str, int] = {}
        for sku, quantity in lines:
            totals[sku] = totals.get(sku, 0) + quantity
        return cls(id=strawberry.ID(str(row.id)), channel=channel_code,
                   lines=[ReservationLine(sku=s, quantity=q) for s, q in totals.items()],
                   expires_at=row.expires_at, status=str(status_of(row)),
                   customer_email=row.customer_email)


@strawberry.input
class ReservationLineInput:
    sku: str
    quantity: int


@strawberry.input
class ReserveInput:
    channel: str
    lines: list[ReservationLineInput]
    ttl_seconds: int | None = strawberry.field(
        default=900, description="Seconds the hold lives if no order consumes it.")
    customer_email: str | None = strawberry.field(
        default=None, description="Who holds the cart, so an expired hold can be followed up.")

    def to_spec(self) -> ReserveSpec:
        return ReserveSpec(self.channel, [HoldLine(line.sku, line.quantity) for line in self.lines],
                           900 if self.ttl_seconds is None else self.ttl_seconds,
                           self.customer_email)


@strawberry.type
class ReservationPayload:
    reservation: Reservation | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A cart hold that expired without an order.")
class AbandonedCart:
    reservation: Reservation
    channel: str
    customer_email: str | None
    units: int = strawberry.field(description=(
        "Sum of the lines at the channel's current prices is not known to the OMS: units only."))
    expired_at: datetime = strawberry.field(description="When the hold lapsed (its expiresAt).")

    @classmethod
    def of(cls, cart: Abandoned) -> AbandonedCart:
        return cls(reservation=Reservation.of(cart.reservation, cart.channel_code, cart.lines),
                   channel=cart.channel_code, customer_email=cart.reservation.customer_email,
                   units=cart.units, expired_at=cart.reservation.expires_at)
