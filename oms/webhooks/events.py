"""Which committed outbox events mean which webhook event, and what a delivery's body says.

One outbox row may mean several webhook events (a shipment that also moves the order to
SHIPPED is FULFILLMENT_SHIPPED and ORDER_STATUS_CHANGED); each gets its own event id,
`evt_<outbox id>_<type>`, the same for every endpoint and every retry.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from oms.enums import OrderEventType as O
from oms.enums import WebhookEventType as W
from oms.events import topics

ORDER_EVENT_TYPES: dict[str, W] = {
    O.ORDER_CREATED: W.ORDER_CREATED,
    O.FULFILLMENT_SHIPPED: W.FULFILLMENT_SHIPPED,
    O.FULFILLMENT_DELIVERED: W.FULFILLMENT_DELIVERED,
    O.PICKED_UP: W.FULFILLMENT_DELIVERED,
    O.CANCELLED: W.ORDER_CANCELLED,
    O.RETURN_REQUESTED: W.RETURN_REQUESTED,
    O.RETURN_RECEIVED: W.RETURN_RECEIVED,
    O.REFUNDED: W.REFUND_ISSUED,
}
"Order history entries that are a webhook event of their own (a pickup is its delivery)."
TOPIC_TYPES: dict[str, W] = {
    topics.FULFILLMENT_CREATED: W.FULFILLMENT_CREATED,
    topics.STOCK_CHANGED: W.STOCK_CHANGED,
    topics.STOCK_LOW: W.STOCK_LOW,
    topics.RESERVATION_EXPIRED: W.RESERVATION_EXPIRED,
}
"Topics that are one webhook event each (`order.event` is read by `order_event_types`)."


@dataclass(frozen=True)
class WebhookEvent:
    """One webhook event made from an outbox row; `channel` None: it belongs to no channel
    (stock), and reaches endpoints whatever their channel filter."""

    id: str
    type: W
    channel: str | None
    created_at: datetime
    data: dict[str, Any]

    def body(self) -> str:
        """The JSON body, as sent on every attempt."""
        return orjson.dumps({"id": self.id, "type": str(self.type),
                             "createdAt": self.created_at.isoformat(),
                             "data": self.data}).decode()


def order_event_types(payload: dict[str, Any]) -> list[W]:
    """The webhook events an `order.event` payload means."""
    found = [ORDER_EVENT_TYPES[payload["type"]]] if payload["type"] in ORDER_EVENT_TYPES else []
    if payload.get("previous_status") and payload["type"] != O.ORDER_CREATED:
        found.append(W.ORDER_STATUS_CHANGED)
    return found


def types_of(topic: str, payload: dict[str, Any]) -> list[W]:
    """The webhook events an outbox row of `topic` means (none for most internal topics)."""
    if topic == topics.ORDER_EVENT:
        return order_event_types(payload)
    found = TOPIC_TYPES.get(topic)
    return [found] if found else []


EVENT_KEYS = ("event_id", "type", "message", "data", "at")
"An order.event payload's own history entry: shown as `orderEvent`, not at the top."


def events_of(outbox_id: int, topic: str, payload: dict[str, Any], created_at: datetime,
              extra: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> list[WebhookEvent]:
    """The webhook events of one outbox row; `extra(payload)` adds what the payload only
    names (the order's number, the history entry's message and data)."""
    wanted = types_of(topic, payload)
    if not wanted:
        return []
    data = camel({k: v for k, v in payload.items() if k not in EVENT_KEYS})
    if extra is not None:
        data.update(extra(payload))
    channel = payload.get("channel")
    return [WebhookEvent(f"evt_{outbox_id}_{kind.lower()}", kind,
                         channel if isinstance(channel, str) else None, created_at, data)
            for kind in wanted]


def camel(value: Any) -> Any:
    """`value` with its mapping keys in camelCase (the API's spelling), all the way down."""
    if isinstance(value, dict):
        return {_camel_key(str(k)): camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def _camel_key(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
