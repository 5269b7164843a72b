"""The return policy: the sales channel's return window (`Channel.return_window_days`),
running from the order's latest delivery or pickup (its last FULFILLMENT_DELIVERED or
PICKED_UP event); a return asked after it is refused with RETURN_WINDOW_CLOSED."""
from __future__ import annotations

from datetime import datetime, timedelta

from oms.clock import now
from oms.enums import OrderEventType
from oms.errors import DomainError, ErrorCode
from oms.models import Channel, Order, OrderEvent

HANDED_OVER = (OrderEventType.FULFILLMENT_DELIVERED, OrderEventType.PICKED_UP)


async def check_window(order: Order) -> None:
    """RETURN_WINDOW_CLOSED when the order's channel gives a window and it has passed."""
    days = await Channel.filter(id=order.channel_id).first().values_list(
        "return_window_days", flat=True)
    handed = await _handed_over_at(order) if days is not None else None
    if handed is None:
        return
    closes = handed + timedelta(days=int(str(days)))
    if now() > closes:
        raise DomainError.of(ErrorCode.RETURN_WINDOW_CLOSED,
                             f"returns of order {order.number} closed {days} day(s) after "
                             f"delivery, on {closes.date()}", "orderId")


async def _handed_over_at(order: Order) -> datetime | None:
    """When the customer last got goods of the order (delivered or picked up)."""
    found = await OrderEvent.filter(order_id=order.id, type__in=list(HANDED_OVER)) \
        .order_by("-at").first()
    return found.at if found else None

