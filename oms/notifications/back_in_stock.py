"""Back-in-stock notices: a storefront registers an email for a SKU in a channel; when the
channel's promisable total of the SKU goes from 0 to more, each registered email gets one
BACK_IN_STOCK notification and its registration ends.

The rise is seen where the totals are written (`oms.availability.read_model`: the deltas
of every stock change, and the rebuilds after channel or node edits), in the same
transaction and after the write: the writer then holds the total's row until commit, so
the total it reads back less its own delta is exactly the total before it, and only the
writer that lifted it from 0 tells. Registrations end by a DELETE ... RETURNING, so even
two writers could not tell the same email twice.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from oms.clock import now
from oms.db import placeholders
from oms.enums import NotificationKind
from oms.errors import ErrorCode, Problems
from oms.models import BackInStockRequest, Channel, Notification, Sku
from oms.notifications.language import language_of
from oms.text import check_length, fits

if TYPE_CHECKING:
    from oms.auth import Principal

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
Key = tuple[int, str]
"(channel id, SKU)."
WHOLE_TABLE_FROM = 500
"Rising totals from which reading every registered (channel, SKU) beats looking each up."


async def request_notice(principal: Principal | None, channel_code: str, sku: str,
                         email: str) -> bool:
    """Register `email` for `sku` in the channel (once: a repeat changes nothing)."""
    address = email.strip().lower()
    channel = await Channel.get_or_none(code=channel_code) if fits(channel_code, Channel, "code") else None
    problems = Problems()
    if channel is None or (principal is not None and not principal.sees_channel(channel_code)):
        problems.add(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {channel_code!r}", "channel")
    if not fits(sku, Sku, "code") or not await Sku.exists(code=sku):
        problems.add(ErrorCode.UNKNOWN_SKU, f"unknown SKU {sku!r}", "sku")
    if not EMAIL.match(address):
        problems.add(ErrorCode.INVALID_INPUT, "email is not an e-mail address", "email")
    check_length(problems, address, BackInStockRequest, "email", "email")
    problems.raise_if_any()
    if channel is not None:  # always, with no problem left
        await BackInStockRequest.bulk_create(
            [BackInStockRequest(channel_id=channel.id, sku=sku, email=address, created_at=now())],
            ignore_conflicts=True)
    return True


async def rose(conn: Any, deltas: Sequence[tuple[Key, int]]) -> int:
    """After the totals of these keys were raised by these deltas (this transaction's write),
    tell the registrations of those that went from 0 to more; returns how many were told."""
    rising = {key: delta for key, delta in deltas if delta > 0}
    watched = await _watched(conn, rising)
    if not watched:
        return 0
    totals = await totals_of(conn, watched)
    return await tell(conn, [key for key in watched if totals.get(key, 0) > 0
                             and totals.get(key, 0) - rising[key] <= 0])


async def watched_totals(conn: Any, channel_id: int) -> dict[str, int]:
    """The totals of the SKUs someone waits for in the channel (0 where none is stored)."""
    skus = await BackInStockRequest.filter(channel_id=channel_id).distinct().values_list("sku", flat=True)
    keys = [(channel_id, str(sku)) for sku in skus]
    totals = await totals_of(conn, keys) if keys else {}
    return {sku: totals.get((channel_id, sku), 0) for _, sku in keys}


async def rebuilt(conn: Any, channel_id: int, before: dict[str, int]) -> int:
    """After a rebuild of the channel's totals: tell those whose total left 0."""
    if not before:
        return 0
    after = await totals_of(conn, [(channel_id, sku) for sku in before])
    return await tell(conn, [(channel_id, sku) for sku, total in before.items()
                             if total <= 0 < after.get((channel_id, sku), 0)])


async def _watched(conn: Any, rising: dict[Key, int]) -> list[Key]:
    if not rising:
        return []
    query = BackInStockRequest.all()
    if len(rising) < WHOLE_TABLE_FROM:
        query = query.filter(sku__in=sorted({sku for _, sku in rising}))
    pairs = await query.distinct().values_list("channel_id", "sku")
    return sorted({(int(c), str(s)) for c, s in pairs} & rising.keys())


async def totals_of(conn: Any, keys: Collection[Key]) -> dict[Key, int]:
    """The stored promisable totals (any delivery method) of these keys."""
    found: dict[Key, int] = {}
    by_channel: dict[int, list[str]] = {}
    for channel_id, sku in keys:
        by_channel.setdefault(channel_id, []).append(sku)
    for channel_id, skus in by_channel.items():
        marks = placeholders(conn, len(skus), start=2)
        rows = await conn.execute_query_dict(
            f'SELECT "sku", "available" FROM "channel_stock" WHERE "channel_id" = '
            f'{placeholders(conn, 1)[0]} AND "sku" IN ({", ".join(marks)})', [channel_id, *skus])
        found.update({(channel_id, r["sku"]): int(r["available"]) for r in rows})
    return found


async def tell(conn: Any, keys: Iterable[Key]) -> int:
    """End the registrations of these keys, one BACK_IN_STOCK notification per email."""
    told = 0
    for channel_id, sku in keys:
        emails = await _end(conn, channel_id, sku)
        if emails:
            await _notify(channel_id, sku, emails)
            told += len(emails)
    return told


async def _end(conn: Any, channel_id: int, sku: str) -> list[str]:
    a, b = placeholders(conn, 2)
    rows = await conn.execute_query_dict(
        f'DELETE FROM "back_in_stock_request" WHERE "channel_id" = {a} AND "sku" = {b} '
        'RETURNING "email"', [channel_id, sku])
    return sorted(str(r["email"]) for r in rows)


async def _notify(channel_id: int, sku: str, emails: list[str]) -> None:
    channel = await Channel.get(id=channel_id).only("id", "language")
    language, at = language_of(channel.language, None), now()
    await Notification.bulk_create([
        Notification(channel_id=channel_id, kind=NotificationKind.BACK_IN_STOCK, recipient=email,
                     language=language, context={"sku": sku}, next_attempt_at=at, created_at=at)
        for email in emails])

