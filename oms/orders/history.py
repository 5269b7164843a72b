"""The one public way to append to an order's history.

`record_event` recomputes the order's status from its lines and fulfillments
(`derive_status`), stores it, appends the OrderEvent and records the matching
`order.event` outbox payload (and the customer notification it calls for), all on the
caller's unit of work. A new order, whose
status was just derived, builds its events with `new_event`, inserts them with its
rows and `announce`s them. A reader sees each event's data through `data_shown_to`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from oms.clock import now
from oms.enums import OrderEventType
from oms.events.topics import ORDER_EVENT, order_event
from oms.models import Channel, Fulfillment, Order, OrderEvent, OrderLine
from oms.notifications import orders as notifications
from oms.orders.status import apply_derived_status
from oms.uow import UnitOfWork

if TYPE_CHECKING:
    from oms.auth import Principal


async def record_event(
    uow: UnitOfWork, order: Order, type: OrderEventType, message: str | None = None,
    data: dict[str, Any] | None = None, *, lines: Sequence[OrderLine] | None = None,
    fulfillments: Sequence[Fulfillment] | None = None, channel_code: str | None = None,
) -> OrderEvent:
    """Set `order.status` from its current lines/fulfillments, save it, append an event.

    `lines`, `fulfillments` and `channel_code` may be passed when the caller holds
    them already (saves queries); otherwise they are loaded.
    """
    if lines is None:
        lines = await OrderLine.filter(order_id=order.id)
    if fulfillments is None:
        fulfillments = await Fulfillment.filter(order_id=order.id)
    before = str(order.status)
    changed = apply_derived_status(order, lines, fulfillments)
    if changed:
        order.updated_at = now()
        await Order.filter(id=order.id).update(status=order.status, updated_at=order.updated_at)
    event = new_event(order, type, message, data)
    await event.save(force_create=True)
    if channel_code is None:
        codes = await Channel.filter(id=order.channel_id).values_list("code", flat=True)
        channel_code = str(codes[0])
    announce(uow, order, event, channel_code, before if changed else None)
    return event


def new_event(order: Order, type: OrderEventType, message: str | None = None,
              data: dict[str, Any] | None = None) -> OrderEvent:
    """An event of `order` at its current status, not saved yet (see `announce`)."""
    return OrderEvent(order_id=order.id, type=type, status=order.status, message=message,
                      data=data, at=now())


def announce(uow: UnitOfWork, order: Order, event: OrderEvent, channel_code: str,
             previous_status: str | None = None) -> None:
    """Record the `order.event` outbox payload of a saved event (with the status the order
    had before when the event changed it), and the customer notification it calls for
    (`oms.notifications.orders`), on the same unit of work."""
    uow.record(ORDER_EVENT, order_event(str(order.id), event.id, channel_code,
                                        order.customer_ref, event.type, str(event.status),
                                        event.message, event.data, event.at, previous_status,
                                        order.company_id))
    notifications.queue(uow, order, event)


def data_shown_to(reader: Principal, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """An event's data as `reader` may see it: without the channel it names (the one a return
    came in by) when that channel is outside the reader's limits, so unknown to it."""
    channel = data.get("channel") if data else None
    if data is None or not isinstance(channel, str) or reader.sees_channel(channel):
        return data
    return {key: value for key, value in data.items() if key != "channel"}
