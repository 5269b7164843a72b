"""From the outbox to deliveries: in the relay's transaction, one `WebhookDelivery` per
webhook event of each published batch and active endpoint that wants it.

The relay publishes each committed outbox row once (claimed with SKIP LOCKED, marked in the
same transaction), so every committed event gets its deliveries exactly once, and an event
that rolled back never reached the outbox. An endpoint gets the types it lists, of the
channels it lists (none: every channel); events of no channel (stock) reach it whatever its
channels.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from oms.clock import now
from oms.events import topics
from oms.models import Order, OrderEvent, OutboxEvent, WebhookDelivery, WebhookEndpoint
from oms.webhooks.events import WebhookEvent, camel, events_of, types_of


async def fan_out(rows: Sequence[OutboxEvent]) -> int:
    """Insert the deliveries of `rows` (in the caller's transaction); how many."""
    wanted = [row for row in rows if types_of(row.topic, row.payload)]
    if not wanted:
        return 0
    endpoints = list(await WebhookEndpoint.filter(active=True).only("id", "events", "channels"))
    if not endpoints:
        return 0
    facts = await OrderFacts.load(wanted)
    at = now()
    made = [
        WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, event_type=str(event.type),
                        body=shown_to(event, endpoint.channels).body(), next_attempt_at=at)
        for row in wanted
        for event in events_of(row.id, row.topic, row.payload, row.created_at, facts.extra)
        for endpoint in endpoints if matches(endpoint, event)
    ]
    await WebhookDelivery.bulk_create(made, batch_size=500)
    return len(made)


def matches(endpoint: WebhookEndpoint, event: WebhookEvent) -> bool:
    return str(event.type) in endpoint.events and (
        not endpoint.channels or event.channel is None or event.channel in endpoint.channels)


def shown_to(event: WebhookEvent, channels: Sequence[str]) -> WebhookEvent:
    """The event as an endpoint limited to `channels` is told of it: a history entry's data
    does not name another channel (the one a return came in by)."""
    entry = event.data.get("orderEvent")
    data = entry.get("data") if isinstance(entry, dict) else None
    named = data.get("channel") if isinstance(data, dict) else None
    if not channels or not isinstance(named, str) or named in channels:
        return event
    assert isinstance(entry, dict) and isinstance(data, dict)
    hidden = {k: v for k, v in data.items() if k != "channel"}
    return replace(event, data={**event.data, "orderEvent": {**entry, "data": hidden}})


class OrderFacts:
    """What the outbox payloads only name, read once per batch: order numbers, and the
    history entries of payloads written before they carried them."""

    def __init__(self, numbers: dict[str, str], entries: dict[int, dict[str, Any]]) -> None:
        self.numbers = numbers
        self.entries = entries

    @classmethod
    async def load(cls, rows: Sequence[OutboxEvent]) -> OrderFacts:
        order_ids = {str(row.payload["order_id"]) for row in rows if "order_id" in row.payload}
        entry_ids = [int(row.payload["event_id"]) for row in rows
                     if row.topic == topics.ORDER_EVENT and "at" not in row.payload]
        numbers = dict(await Order.filter(id__in=order_ids).values_list("id", "number")) \
            if order_ids else {}
        entries = await OrderEvent.filter(id__in=entry_ids).values("id", "message", "data", "at") \
            if entry_ids else []
        return cls({str(k): str(v) for k, v in numbers.items()},
                   {int(e["id"]): e for e in entries})

    def extra(self, payload: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        number = self.numbers.get(str(payload.get("order_id")))
        if number is not None:
            found["orderNumber"] = number
        if "event_id" not in payload:
            return found
        entry = payload if "at" in payload else self.entries.get(int(payload["event_id"]))
        if entry is not None:
            at = entry["at"]
            found["orderEvent"] = {"id": str(payload["event_id"]), "type": payload["type"],
                                   "message": entry["message"], "data": camel(entry["data"]),
                                   "at": at if isinstance(at, str) else at.isoformat()}
        return found
