"""Reading orders: one by id or number, and pages of them newest first, as the caller may see."""
from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from oms.auth import Principal
from oms.enums import OrderStatus
from oms.errors import DomainError, ErrorCode
from oms.models import Channel, Order, SourcingDecisionRecord
from oms.text import fits

MAX_PAGE = 200


@dataclass(frozen=True)
class OrderCriteria:
    """Which orders a listing asks for (all of them that the caller may see, when empty)."""

    channel: str | None = None
    statuses: list[OrderStatus] = field(default_factory=list)
    customer_email: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True)
class OrderPage:
    orders: list[Order]
    cursors: list[str]
    has_next_page: bool
    total_count: int


def visible_orders(principal: Principal) -> QuerySet[Order]:
    """Orders this caller may read: its channels, only its own for a customer token, only
    its company's for a company's token."""
    query = Order.all()
    if principal.channels:
        query = query.filter(channel__code__in=sorted(principal.channels))
    if principal.company_code is not None:
        query = query.filter(company_id=principal.company_id)
    if principal.own_orders_only:
        query = query.filter(customer_ref=principal.customer_ref) if principal.customer_ref \
            else query.filter(id__in=[])
    return query


async def get_order(principal: Principal, order_id: str | None = None,
                     number: str | None = None) -> Order | None:
    """The order with this id or number, if the caller may see it."""
    query = visible_orders(principal)
    if order_id is not None:
        try:
            query = query.filter(id=uuid.UUID(str(order_id)))
        except ValueError:
            return None
    if number is not None:
        if not fits(number, Order, "number"):
            return None
        query = query.filter(number=number)
    if order_id is None and number is None:
        return None
    return await query.first()


async def list_orders(principal: Principal, wanted: OrderCriteria, first: int,
                      after: str | None) -> OrderPage:
    """A page of visible orders matching `wanted`, newest first, after the cursor `after`."""
    if not 0 <= first <= MAX_PAGE:
        raise DomainError.of(ErrorCode.INVALID_INPUT, f"first must be 0..{MAX_PAGE}", "first")
    query = _filtered(visible_orders(principal), wanted)
    total = await query.count()
    page = query
    if after:
        created, order_id = _decode(after)
        page = page.filter(Q(created_at__lt=created)
                           | Q(created_at=created, id__lt=order_id))
    rows = await page.order_by("-created_at", "-id").limit(first + 1)
    return OrderPage(rows[:first], [_cursor(o) for o in rows[:first]], len(rows) > first, total)


def _filtered(query: QuerySet[Order], wanted: OrderCriteria) -> QuerySet[Order]:
    if not _can_match(wanted):
        return query.filter(id__in=[])
    if wanted.channel:
        query = query.filter(channel__code=wanted.channel)
    if wanted.statuses:
        query = query.filter(status__in=wanted.statuses)
    if wanted.customer_email:
        query = query.filter(customer_email=wanted.customer_email)
    if wanted.created_after:
        query = query.filter(created_at__gte=wanted.created_after)
    if wanted.created_before:
        query = query.filter(created_at__lt=wanted.created_before)
    return query


def _can_match(wanted: OrderCriteria) -> bool:
    """Whether some order could match: a code or e-mail longer than its column matches none."""
    return (not wanted.channel or fits(wanted.channel, Channel, "code")) and \
        (not wanted.customer_email or fits(wanted.customer_email, Order, "customer_email"))


def _cursor(order: Order) -> str:
    raw = f"{order.created_at.isoformat()}|{order.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        created, _, order_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(created), str(uuid.UUID(order_id))
    except (ValueError, UnicodeDecodeError):
        raise DomainError.of(ErrorCode.INVALID_INPUT, "bad cursor", "after") from None


async def latest_decision(principal: Principal, order_id: str) -> SourcingDecisionRecord | None:
    """The decision recorded when the order was last sourced (None when not visible)."""
    order = await get_order(principal, order_id)
    if order is None:
        return None
    return await SourcingDecisionRecord.filter(order_id=order.id).order_by("-id").first()
