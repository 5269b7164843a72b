"""The headers of a delivery: its event id, a timestamp, and the HMAC-SHA256 signature of
"<timestamp>.<raw body>" keyed by the endpoint's secret."""
from __future__ import annotations

import hashlib
import hmac

VERSION = "v1"


def signature(secret: str, timestamp: int, body: str) -> str:
    """`v1=<hex digest>` of "<timestamp>.<body>"."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"{VERSION}={digest.hexdigest()}"


def headers(secret: str, event_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": "oms-webhooks/1",
            "OMS-Webhook-Id": event_id, "OMS-Webhook-Timestamp": str(timestamp),
            "OMS-Webhook-Signature": signature(secret, timestamp, body)}


def verify(secret: str, timestamp: str, body: bytes, signed: str) -> bool:
    """What a receiver checks (in constant time); the README shows the same in a few lines."""
    expected = signature(secret, int(timestamp), body.decode())
    return hmac.compare_digest(expected, signed)
