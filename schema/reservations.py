"""Cart reservations: holds of stock for a channel until an order consumes them or they expire."""
from __future__ import annotations

from datetime import datetime

import strawberry

from oms import models
from oms.orders.inputs import HoldLine, ReserveSpec
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
    status: str = strawberry.field(description="ACTIVE, CONSUMED, RELEASED or EXPIRED.")

    @classmethod
    def of(cls, row: models.Reservation, channel_code: str,
           lines: list[tuple[str, int]]) -> Reservation:
        totals: dict[str, int] = {}
        for sku, quantity in lines:
            totals[sku] = totals.get(sku, 0) + quantity
        return cls(id=strawberry.ID(str(row.id)), channel=channel_code,
                   lines=[ReservationLine(sku=s, quantity=q) for s, q in totals.items()],
                   expires_at=row.expires_at, status=str(row.status))


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

    def to_spec(self) -> ReserveSpec:
        return ReserveSpec(self.channel, [HoldLine(line.sku, line.quantity) for line in self.lines],
                           900 if self.ttl_seconds is None else self.ttl_seconds)


@strawberry.type
class ReservationPayload:
    reservation: Reservation | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
