"""Event topics and their payload builders (plain JSON data)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

STOCK_CHANGED = "stock.changed"
ORDER_EVENT = "order.event"
TOKEN_REVOKED = "token.revoked"
FULFILLMENT_CREATED = "fulfillment.created"
STOCK_LOW = "stock.low"
"Written by the stock alerts (a position crossing its reorder point downwards)."
RESERVATION_EXPIRED = "reservation.expired"
"Written by the reservation sweeper (an expired hold: an abandoned cart)."
WEBHOOK_ENDPOINT_DISABLED = "webhook.endpoint_disabled"


def stock_changed(skus: Iterable[str]) -> dict[str, list[str]]:
    return {"skus": sorted(set(skus))}


def order_event(order_id: str, event_id: int, channel: str, customer_ref: str | None,
                type: str, status: str, message: str | None, data: dict[str, Any] | None,
                at: datetime, previous_status: str | None = None,
                company_id: int | None = None) -> dict[str, object]:
    """Recorded for every OrderEvent row, in the transaction that writes it: the whole event,
    so a feed pushes it without reading it back; `previous_status` when the event changed
    the order's status, `company_id` for a company's order (feeds of a company's token)."""
    payload: dict[str, object] = {
        "order_id": order_id, "event_id": event_id, "channel": channel,
        "customer_ref": customer_ref, "type": type, "status": status,
        "message": message, "data": data, "at": at.isoformat()}
    if previous_status is not None:
        payload["previous_status"] = previous_status
    if company_id is not None:
        payload["company_id"] = company_id
    return payload


def fulfillment_created(fulfillment_id: str, order_id: str, channel: str,
                        node: str) -> dict[str, object]:
    """Recorded for every new fulfillment (placement, re-sourcing), with its rows."""
    return {"fulfillment_id": fulfillment_id, "order_id": order_id, "channel": channel,
            "node": node}


def stock_low(sku: str, node_code: str, available: int, reorder_point: int,
              at: str) -> dict[str, object]:
    """Recorded when a position's available stock falls to or below its reorder point."""
    return {"sku": sku, "node_code": node_code, "available": available,
            "reorder_point": reorder_point, "at": at}


def reservation_expired(reservation_id: str, channel: str, customer_email: str | None,
                        lines: list[dict[str, object]], expired_at: str) -> dict[str, object]:
    """Recorded for every cart hold that expires (no order consumed it): an abandoned cart."""
    return {"reservation_id": reservation_id, "channel": channel,
            "customer_email": customer_email, "lines": lines,
            "units": sum(int(str(line["quantity"])) for line in lines), "expired_at": expired_at}
