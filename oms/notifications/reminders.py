"""The pickup reminder: a PICKUP_REMINDER notification for an order whose fulfillment has
waited READY_FOR_PICKUP for `OMS_PICKUP_REMINDER_HOURS`, checked every
`OMS_PICKUP_REMINDER_SWEEP_SECONDS` in every process (the (order, kind) index lets only
one of them write it)."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from oms import db
from oms.clock import now
from oms.enums import FulfillmentStatus, NotificationKind
from oms.models import Fulfillment, Node, Notification, Order
from oms.notifications.orders import draft
from oms.uow import unit_of_work

if TYPE_CHECKING:
    from oms.runtime import Runtime

log = logging.getLogger(__name__)
BATCH = 500


async def remind_forever(runtime: Runtime) -> None:
    """Write the reminders that are due, forever (the runtime cancels it on shutdown)."""
    while True:
        await asyncio.sleep(runtime.settings.pickup_reminder_sweep_seconds)
        try:
            # shielded: never cancelled mid-transaction
            if await asyncio.shield(remind_due(runtime.settings.pickup_reminder_hours)):
                runtime.notifications.wake()
        except Exception as exc:
            if not db.unreachable(exc):
                log.exception("pickup reminders failed")
            else:
                log.warning("pickup reminders: database unavailable (%s)", type(exc).__name__)


async def remind_due(hours: float) -> int:
    """Queue a reminder for each order ready for pickup `hours` ago or more and not collected
    (nor reminded yet); returns how many orders were considered."""
    cutoff = now() - timedelta(hours=hours)
    rows = await (Fulfillment.filter(status=FulfillmentStatus.READY_FOR_PICKUP, updated_at__lte=cutoff)
                  .order_by("updated_at").limit(BATCH).values_list("order_id", "node_id"))
    waiting = {str(order_id): node_id for order_id, node_id in rows}
    reminded = {str(order_id) for order_id in await Notification.filter(
        order_id__in=list(waiting), kind=NotificationKind.PICKUP_REMINDER
    ).values_list("order_id", flat=True)} if waiting else set()
    due = {order_id: node_id for order_id, node_id in waiting.items() if order_id not in reminded}
    if not due:
        return 0
    codes = dict(await Node.filter(id__in=set(due.values())).values_list("id", "code"))
    async with unit_of_work("pickup-reminders") as uow:
        for order in await Order.filter(id__in=list(due)):
            draft(uow, order, NotificationKind.PICKUP_REMINDER,
                  {"node": codes.get(due[str(order.id)]), "hours": f"{hours:g}"})
    return len(due)
