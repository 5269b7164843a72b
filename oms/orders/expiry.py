"""Cart holds past their time: marked EXPIRED once (a conditional update), their lines handed
back as stock releases for the caller to apply (`oms.inventory.take_holds`)."""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from oms.clock import now
from oms.enums import ReservationStatus, StockReason
from oms.inventory import Release
from oms.models import Reservation, ReservationLine
from oms.workflow import Workflow

RESERVATION = Workflow("reservation", ReservationStatus.ACTIVE, {
    ReservationStatus.ACTIVE: frozenset({ReservationStatus.CONSUMED, ReservationStatus.RELEASED,
                                         ReservationStatus.EXPIRED}),
    ReservationStatus.CONSUMED: frozenset(),
    ReservationStatus.RELEASED: frozenset(),
    ReservationStatus.EXPIRED: frozenset(),
})
"A hold ends once: consumed by an order, released, or expired."


async def expire_holds(skus: Iterable[str] | None = None,
                       limit: int = 500) -> tuple[int, list[Release]]:
    """Expire live holds past their time (only those touching `skus`, if given): how many,
    and the units they held, to be given back in the caller's unit of work."""
    query = Reservation.filter(status=ReservationStatus.ACTIVE, expires_at__lte=now())
    if skus is not None:
        query = query.filter(lines__sku__in=set(skus))
    # In id order, so two callers expiring the same holds lock their rows in one order.
    candidates = list(dict.fromkeys(await query.order_by("id").limit(limit)
                                    .values_list("id", flat=True)))
    expired: list[uuid.UUID] = []
    for reservation_id in candidates:
        won = await RESERVATION.move_stored(Reservation, reservation_id, ReservationStatus.ACTIVE,
                                            ReservationStatus.EXPIRED)
        if won:
            expired.append(uuid.UUID(str(reservation_id)))
    return len(expired), await held_by(expired, StockReason.EXPIRE)


async def held_by(reservation_ids: list[uuid.UUID], reason: StockReason) -> list[Release]:
    """What these reservations hold, as releases with `reason`."""
    if not reservation_ids:
        return []
    lines = await ReservationLine.filter(reservation_id__in=reservation_ids) \
        .order_by("sku", "node_id").values_list("sku", "node_id", "quantity", "reservation_id")
    return [Release(sku, node_id, quantity, reason, f"reservation:{owner}")
            for sku, node_id, quantity, owner in lines]
