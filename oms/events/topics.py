"""Event topics and their payload builders (plain JSON data)."""
from __future__ import annotations

from collections.abc import Iterable

STOCK_CHANGED = "stock.changed"
ORDER_EVENT = "order.event"
TOKEN_REVOKED = "token.revoked"
STOCK_LOW = "stock.low"
RESERVATION_EXPIRED = "reservation.expired"


def stock_changed(skus: Iterable[str]) -> dict[str, list[str]]:
    return {"skus": sorted(set(skus))}


def order_event(order_id: str, event_id: int, channel: str, customer_ref: str | None,
                type: str, status: str) -> dict[str, object]:
    """Recorded for every OrderEvent row, in the transaction that writes it."""
    return {"order_id": order_id, "event_id": event_id, "channel": channel,
            "customer_ref": customer_ref, "type": type, "status": status}


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
