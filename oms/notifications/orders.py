"""Order notifications, created in the transaction of the change they tell of.

Why here and not from the outbox: `oms.orders.history.announce` is the one place every
order event passes, on the unit of work that writes it. It hands the event to `queue`,
which keeps a draft on that unit of work; at commit (`UnitOfWork.flush`) the drafts are
inserted in the same transaction as the order's rows and events. So a notification exists
if and only if its change committed: a rollback (a refusal, a deadlock retry) takes it
away with the change, and the retry that commits writes it once. The unique (order, kind)
index, inserted with "on conflict do nothing", makes a second shipment, a repeated
transition or two concurrent writers leave the first notification alone: never twice.
Nothing is rendered or sent here (the hot path of placement only gains one insert): the
sender renders and sends after commit (`oms.notifications.sender`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tortoise import connections

from oms.clock import now
from oms.db import is_postgres
from oms.enums import NotificationKind, OrderEventType
from oms.models import Node, Notification
from oms.notifications.language import language_of
from oms.uow import UnitOfWork

if TYPE_CHECKING:
    from oms.models import Order, OrderEvent

KIND_OF: dict[str, NotificationKind] = {
    OrderEventType.ORDER_CREATED: NotificationKind.ORDER_CONFIRMED,
    OrderEventType.FULFILLMENT_SHIPPED: NotificationKind.SHIPPED,
    OrderEventType.FULFILLMENT_READY_FOR_PICKUP: NotificationKind.READY_FOR_PICKUP,
    OrderEventType.DELIVERED: NotificationKind.DELIVERED,
    OrderEventType.CANCELLED: NotificationKind.CANCELLED,
    OrderEventType.REFUNDED: NotificationKind.REFUNDED,
}
"The order events a customer is told of (the first of each kind per order)."
FACTS = ("lines", "carrier", "tracking_number", "node", "amount", "currency")
"What of an event's data the templates may show."


@dataclass(frozen=True)
class Draft:
    order: Order
    kind: NotificationKind
    context: dict[str, Any]


def queue(uow: UnitOfWork, order: Order, event: OrderEvent) -> None:
    """Keep the notification `event` calls for, if any, to be written at commit."""
    kind = KIND_OF.get(str(event.type))
    if kind is not None:
        draft(uow, order, kind, facts(event.data))


def draft(uow: UnitOfWork, order: Order, kind: NotificationKind, context: dict[str, Any]) -> None:
    """Keep a notification of `kind` for `order` (none without a recipient)."""
    if order.customer_email and order.customer_email.strip():
        uow.state("notifications", list, _write).append(Draft(order, kind, context))


def facts(data: dict[str, Any] | None) -> dict[str, Any]:
    """What of `data` the templates may show (`lines` only as a list of them: the placement
    event counts them; the mail then shows the order's)."""
    found = {key: value for key, value in (data or {}).items() if key in FACTS}
    if not isinstance(found.get("lines", []), list):
        del found["lines"]
    return found


async def _write(drafts: list[Draft]) -> None:
    await write(drafts)


async def write(drafts: Sequence[Draft]) -> int:
    """Insert the drafts, leaving alone any (order, kind) that has one already; returns how
    many were new. One statement each: the channel's language is read by the insert itself
    (placement pays for nothing else)."""
    conn = connections.get("default")
    fallback = await _address_languages(drafts)
    written = 0
    for d in drafts:
        written += await _insert(conn, d, fallback[d.order.id])
    return written


async def _insert(conn: Any, d: Draft, fallback: str) -> int:
    encode = Notification._meta.fields_map["context"].to_db_value
    at, postgres = now(), is_postgres(conn)
    marks = [f"${i}::{kind}" if postgres else f"?{i}" for i, kind in enumerate(CASTS, start=1)]
    order_id, kind, recipient, language, context, moment, channel_id = marks
    rows = await conn.execute_query_dict(
        f'INSERT INTO "notification" ("order_id", "channel_id", "kind", "recipient", "medium", '
        f'"language", "context", "status", "attempts", "next_attempt_at", "created_at") '
        f"SELECT {order_id}, c.\"id\", {kind}, {recipient}, 'EMAIL', COALESCE(c.\"language\", "
        f"{language}), {context}, 'QUEUED', 0, {moment}, {moment} FROM \"channel\" c "
        f'WHERE c."id" = {channel_id} ON CONFLICT ("order_id", "kind") DO NOTHING RETURNING "id"',
        [str(d.order.id), str(d.kind), d.order.customer_email.strip(), fallback,
         encode(d.context, Notification), at, d.order.channel_id])
    return len(rows)


CASTS = ("uuid", "text", "text", "text", "jsonb", "timestamptz", "int")
"""PostgreSQL types of the insert's parameters (an INSERT ... SELECT does not infer them);
numbered on both (SQLite's ?N), as one is used twice."""


async def _address_languages(drafts: Sequence[Draft]) -> dict[Any, str]:
    """Per order, the language its address calls for (a pickup's: the store's), for a
    channel without one."""
    orders = {d.order.id: d.order for d in drafts}
    pickup_ids = {o.pickup_node_id for o in orders.values()
                  if o.pickup_node_id is not None and not o.shipping_address}
    addresses = dict(await Node.filter(id__in=pickup_ids).values_list("id", "address")) \
        if pickup_ids else {}
    return {order_id: language_of(None, o.shipping_address or addresses.get(o.pickup_node_id))
            for order_id, o in orders.items()}
