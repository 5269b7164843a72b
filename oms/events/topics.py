"""Event topics and their payload builders (plain JSON data)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

STOCK_CHANGED = "stock.changed"
ORDER_EVENT = "order.event"
TOKEN_REVOKED = "token.revoked"


def stock_changed(skus: Iterable[str]) -> dict[str, list[str]]:
    return {"skus": sorted(set(skus))}


def order_event(order_id: str, event_id: int, channel: str, customer_ref: str | None,
                type: str, status: str, message: str | None, data: dict[str, Any] | None,
                at: datetime) -> dict[str, object]:
    """Recorded for every OrderEvent row, in the transaction that writes it: the whole event,
    so a feed pushes it without reading it back."""
    return {"order_id": order_id, "event_id": event_id, "channel": channel,
            "customer_ref": customer_ref, "type": type, "status": status,
            "message": message, "data": data, "at": at.isoformat()}
