"""Abandoned carts: cart holds that expired without an order, for marketing to follow up.

A hold no order consumed and nobody released ends EXPIRED; one past its time that the
sweeper has not reached yet is already expired to every reader (`status_of`), so it is
listed too. `expiredAt` is the moment the hold lapsed (its `expiresAt`), not the sweep.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from oms import catalog
from oms.auth import Principal
from oms.clock import now
from oms.enums import ReservationStatus
from oms.errors import DomainError, ErrorCode
from oms.models import Reservation, ReservationLine

MAX_FIRST = 1_000


@dataclass(frozen=True)
class AbandonedCart:
    reservation: Reservation
    channel_code: str
    lines: list[tuple[str, int]]

    @property
    def units(self) -> int:
        return sum(quantity for _, quantity in self.lines)


async def abandoned_carts(principal: Principal, channel: str | None = None,
                          since: datetime | None = None, first: int = 100) -> list[AbandonedCart]:
    """Expired holds of `channel` (else of every channel the caller sees) that lapsed at or
    after `since`, newest first, at most `first`."""
    if not 0 <= first <= MAX_FIRST:
        raise DomainError.of(ErrorCode.BAD_USER_INPUT, f"first must be 0..{MAX_FIRST}", "first")
    moment = now()
    query = Reservation.filter(Q(status=ReservationStatus.EXPIRED)
                               | Q(status=ReservationStatus.ACTIVE, expires_at__lte=moment))
    if channel is not None:
        found = await catalog.get_channel(channel)
        if found is None or not principal.sees_channel(channel):
            raise DomainError.of(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {channel!r}",
                                 "channel")
        query = query.filter(channel_id=found.id)
    elif principal.channels:
        query = query.filter(channel__code__in=sorted(principal.channels))
    if since is not None:
        query = query.filter(expires_at__gte=since)
    rows = await query.order_by("-expires_at", "-id").limit(first).prefetch_related("channel")
    return await _with_lines(rows)


async def _with_lines(rows: list[Reservation]) -> list[AbandonedCart]:
    """The carts of `rows` with their lines (one look-up), units summed per SKU."""
    lines: dict[str, dict[str, int]] = {str(r.id): {} for r in rows}
    for owner, sku, quantity in await ReservationLine.filter(
            reservation_id__in=[r.id for r in rows]).order_by("id").values_list(
            "reservation_id", "sku", "quantity"):
        per_sku = lines[str(owner)]
        per_sku[sku] = per_sku.get(sku, 0) + quantity
    return [AbandonedCart(r, r.channel.code, list(lines[str(r.id)].items())) for r in rows]
