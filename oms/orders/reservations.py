"""Cart holds: stock reserved for a channel until an order consumes it or it expires.

Expiry is enforced three ways: availability stops counting expired holds at once,
sourcing (placement, cart holds) expires those of the SKUs it needs and counts their
units as free (`oms.orders.allocate`), and a background job (`oms.orders.sweeper`)
sweeps the rest every few seconds. Status moves with a conditional update, so a hold
is given back exactly once.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from oms import inventory
from oms.auth import Principal
from oms.catalog import get_channel
from oms.clock import now
from oms.enums import DeliveryMethod, ReservationStatus, StockReason
from oms.errors import DomainError, ErrorCode, Problems
from oms.inventory import Release
from oms.models import Channel, Reservation, ReservationLine
from oms.orders.allocate import source_and_hold
from oms.orders.expiry import RESERVATION, expire_holds, held_by
from oms.orders.inputs import ReserveSpec
from oms.orders.validation import check_channel, check_lines
from oms.routing.rules import engine_rules
from oms.routing.snapshot import channel_view
from oms.sourcing import SourcingRequest, select_rule
from oms.text import check_length
from oms.uow import UnitOfWork

MAX_TTL_SECONDS = 7 * 24 * 3600
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
"One @ between a local part and a dotted domain, no spaces: the shape, not deliverability."
SHIP = DeliveryMethod.SHIP_TO_ADDRESS


@dataclass(frozen=True)
class Hold:
    """A reservation with its channel code and its (sku, quantity) lines."""

    reservation: Reservation
    channel_code: str
    lines: list[tuple[str, int]]


async def hold_of(reservation: Reservation, channel_code: str) -> Hold:
    lines = await ReservationLine.filter(reservation_id=reservation.id).order_by("id") \
        .values_list("sku", "quantity")
    return Hold(reservation, channel_code, [(sku, qty) for sku, qty in lines])


async def reserve(uow: UnitOfWork, principal: Principal | None, spec: ReserveSpec) -> Hold:
    """Hold every line for `spec.ttl_seconds`, or refuse (INSUFFICIENT_STOCK) holding nothing."""
    channel = await _check(spec, principal)
    reservation = Reservation(id=uuid.uuid4(), channel_id=channel.id,
                              customer_email=_email(spec.customer_email),
                              expires_at=now() + timedelta(seconds=spec.ttl_seconds))
    request = SourcingRequest(channel_view(channel), SHIP, None, None,
                              tuple((line.sku, line.quantity) for line in spec.lines))
    rule = select_rule(await engine_rules(), channel.code, SHIP, now())
    decision, ids = await source_and_hold(uow, channel, request, rule,
                                          f"reservation:{reservation.id}", StockReason.RESERVE)
    if decision.backordered:
        short = ", ".join(f"{qty} x {sku}" for sku, qty in decision.backordered)
        raise DomainError.of(ErrorCode.INSUFFICIENT_STOCK,
                             f"channel {channel.code} cannot promise {short}", "lines")
    await reservation.save(force_create=True)
    await ReservationLine.bulk_create([
        ReservationLine(reservation_id=reservation.id, sku=a.sku, node_id=ids[a.node_code],
                        quantity=a.quantity)
        for a in decision.allocations
    ])
    return Hold(reservation, channel.code, [(a.sku, a.quantity) for a in decision.allocations])


async def _check(spec: ReserveSpec, principal: Principal | None) -> Channel:
    problems = Problems()
    channel = await get_channel(spec.channel)
    check_channel(problems, spec.channel, channel, principal)
    await check_lines(problems, [(line.sku, line.quantity) for line in spec.lines])
    if not 1 <= spec.ttl_seconds <= MAX_TTL_SECONDS:
        problems.add(ErrorCode.INVALID_INPUT,
                     f"ttlSeconds must be 1..{MAX_TTL_SECONDS}", "ttlSeconds")
    email = _email(spec.customer_email)
    if email is not None:
        if not EMAIL.fullmatch(email):
            problems.add(ErrorCode.INVALID_INPUT, "customerEmail is not an e-mail address",
                         "customerEmail")
        check_length(problems, email, Reservation, "customer_email", "customerEmail")
    problems.raise_if_any()
    assert channel is not None
    return channel


def _email(value: str | None) -> str | None:
    """A customer e-mail as given, trimmed; None when absent or blank."""
    if value is None:
        return None
    return value.strip() or None


def status_of(reservation: Reservation) -> ReservationStatus:
    """The hold's status as clients see it: a live hold past its time is EXPIRED (nothing
    can consume it, availability no longer counts it) even before the sweeper marks it."""
    if reservation.status is ReservationStatus.ACTIVE and reservation.expires_at <= now():
        return ReservationStatus.EXPIRED
    return reservation.status


async def release_reservation(uow: UnitOfWork, principal: Principal | None,
                              reservation_id: str) -> Hold:
    """Give the held stock back now (RELEASED)."""
    reservation = await find(reservation_id, principal)
    await _end(uow, reservation, ReservationStatus.RELEASED, StockReason.RELEASE)
    return await hold_of(reservation, reservation.channel.code)


async def consume(reservation_id: str, channel: Channel) -> list[Release]:
    """Hand a live hold over to the order being placed: its row is marked CONSUMED (a
    conditional update, which also locks it until commit) and its units are returned, to be
    given back in the order's holding pass (`oms.orders.allocate.source_and_hold`).

    Refused with RESERVATION_EXPIRED once `expiresAt` is past, swept or not.
    """
    reservation = await find(reservation_id, None, "reservationId")
    if reservation.channel_id != channel.id:
        raise DomainError.of(ErrorCode.INVALID_INPUT,
                             f"reservation {reservation_id} belongs to another channel",
                             "reservationId")
    if reservation.status is ReservationStatus.ACTIVE and reservation.expires_at <= now():
        raise DomainError.of(ErrorCode.RESERVATION_EXPIRED,
                             f"reservation {reservation_id} expired at "
                             f"{reservation.expires_at.isoformat()}", "reservationId")
    await _mark(reservation, ReservationStatus.CONSUMED, "reservationId")
    return await held_by([reservation.id], StockReason.CONSUME)


async def find(reservation_id: str, principal: Principal | None,
               field: str = "id") -> Reservation:
    """The reservation (NOT_FOUND when unknown or on a channel the caller may not see)."""
    try:
        found = await Reservation.get_or_none(id=uuid.UUID(str(reservation_id))) \
            .prefetch_related("channel")
    except ValueError:
        found = None
    if found is None or (principal and not principal.sees_channel(found.channel.code)):
        raise DomainError.of(ErrorCode.NOT_FOUND, f"no reservation {reservation_id}", field)
    return found


async def _end(uow: UnitOfWork, reservation: Reservation, status: ReservationStatus,
               reason: StockReason, field: str = "id") -> None:
    await _mark(reservation, status, field)
    await inventory.take_holds(uow, [], reason, None, releases=await held_by([reservation.id],
                                                                              reason))


async def _mark(reservation: Reservation, status: ReservationStatus, field: str) -> None:
    """Move a live hold to `status` (refused when it is no longer ACTIVE)."""
    ended = await RESERVATION.move_stored(Reservation, reservation.id, ReservationStatus.ACTIVE,
                                          status)
    if not ended:
        fresh = await Reservation.get(id=reservation.id)
        code = (ErrorCode.RESERVATION_EXPIRED if fresh.status is ReservationStatus.EXPIRED
                else ErrorCode.RESERVATION_NOT_ACTIVE)
        raise DomainError.of(code, f"reservation {reservation.id} is {fresh.status}", field)
    RESERVATION.move(reservation, status)


async def sweep_expired(uow: UnitOfWork, skus: Iterable[str] | None = None,
                        limit: int = 500) -> int:
    """Expire live holds past their time (only those touching `skus`, if given) and give
    their stock back now; returns how many expired."""
    count, releases = await expire_holds(uow, skus, limit)
    if releases:
        await inventory.take_holds(uow, [], StockReason.EXPIRE, None, releases=releases)
    return count
