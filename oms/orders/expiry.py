"""Cart holds past their time: marked EXPIRED once (a conditional update), their lines handed
back as stock releases for the caller to apply (`oms.inventory.take_holds`), and one
`reservation.expired` event each (an abandoned cart) in the same transaction."""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from oms.clock import now
from oms.enums import ReservationStatus, StockReason
from oms.events.topics import RESERVATION_EXPIRED, reservation_expired
from oms.inventory import Release
from oms.models import Reservation, ReservationLine
from oms.uow import UnitOfWork
from oms.workflow import Workflow

RESERVATION = Workflow("reservation", ReservationStatus.ACTIVE, {
    ReservationStatus.ACTIVE: frozenset({ReservationStatus.CONSUMED, ReservationStatus.RELEASED,
                                         ReservationStatus.EXPIRED}),
    ReservationStatus.CONSUMED: frozenset(),
    ReservationStatus.RELEASED: frozenset(),
    ReservationStatus.EXPIRED: frozenset(),
})
"A hold ends once: consumed by an order, released, or expired."


async def expire_holds(uow: UnitOfWork, skus: Iterable[str] | None = None,
                       limit: int = 500) -> tuple[int, list[Release]]:
    """Expire live holds past their time (only those touching `skus`, if given): how many,
    and the units they held, to be given back in `uow`, which records their events."""
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
    releases = await held_by(expired, StockReason.EXPIRE)
    await _record_expired(uow, expired, releases)
    return len(expired), releases


async def _record_expired(uow: UnitOfWork, expired: list[uuid.UUID],
                          releases: list[Release]) -> None:
    """One `reservation.expired` event per hold, its units summed per SKU."""
    if not expired:
        return
    units: dict[str, dict[str, int]] = {}
    for release in releases:
        per_sku = units.setdefault(str(release.reference), {})
        per_sku[release.sku] = per_sku.get(release.sku, 0) + release.quantity
    rows = await Reservation.filter(id__in=expired).order_by("id").values_list(
        "id", "channel__code", "customer_email", "expires_at")
    for reservation_id, channel, email, expires_at in rows:
        lines = units.get(f"reservation:{reservation_id}", {})
        uow.record(RESERVATION_EXPIRED, reservation_expired(
            str(reservation_id), str(channel), email,
            [{"sku": sku, "quantity": qty} for sku, qty in sorted(lines.items())],
            expires_at.isoformat()))


async def held_by(reservation_ids: list[uuid.UUID], reason: StockReason) -> list[Release]:
    """What these reservations hold, as releases with `reason`."""
    if not reservation_ids:
        return []
    lines = await ReservationLine.filter(reservation_id__in=reservation_ids) \
        .order_by("sku", "node_id").values_list("sku", "node_id", "quantity", "reservation_id")
    return [Release(sku, node_id, quantity, reason, f"reservation:{owner}")
            for sku, node_id, quantity, owner in lines]
