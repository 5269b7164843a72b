"""The one enum of refusal codes, and the exception that carries them out of a unit of work."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN_NODE = "UNKNOWN_NODE"
    UNKNOWN_CHANNEL = "UNKNOWN_CHANNEL"
    UNKNOWN_SKU = "UNKNOWN_SKU"
    NEGATIVE_QUANTITY = "NEGATIVE_QUANTITY"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_PERCENT = "INVALID_PERCENT"
    INVALID_COORDINATES = "INVALID_COORDINATES"
    DUPLICATE_RECORD = "DUPLICATE_RECORD"
    BELOW_RESERVED = "BELOW_RESERVED"
    INVALID_SCOPE = "INVALID_SCOPE"
    CHANNEL_INACTIVE = "CHANNEL_INACTIVE"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    PICKUP_NODE_INVALID = "PICKUP_NODE_INVALID"
    ADDRESS_REQUIRED = "ADDRESS_REQUIRED"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    TOTAL_MISMATCH = "TOTAL_MISMATCH"
    RESERVATION_EXPIRED = "RESERVATION_EXPIRED"
    RESERVATION_NOT_ACTIVE = "RESERVATION_NOT_ACTIVE"
    NODE_HAS_NO_STOCK = "NODE_HAS_NO_STOCK"
    INVALID_RULE = "INVALID_RULE"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    NOT_CANCELLABLE = "NOT_CANCELLABLE"
    OVER_RETURN = "OVER_RETURN"
    OVER_RECEIVE = "OVER_RECEIVE"
    ALREADY_REFUNDED = "ALREADY_REFUNDED"
    WRONG_DELIVERY_METHOD = "WRONG_DELIVERY_METHOD"
    PAYMENT_DECLINED = "PAYMENT_DECLINED"
    NODE_NOT_ALLOWED = "NODE_NOT_ALLOWED"
    ALREADY_REVOKED = "ALREADY_REVOKED"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    NODE_INACTIVE = "NODE_INACTIVE"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    SUBSCRIBER_TOO_SLOW = "SUBSCRIBER_TOO_SLOW"
    CURSOR_EXPIRED = "CURSOR_EXPIRED"
    TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"
    RATE_LIMITED = "RATE_LIMITED"
    INVALID_URL = "INVALID_URL"
    PRIVATE_DESTINATION = "PRIVATE_DESTINATION"
    ENDPOINT_INACTIVE = "ENDPOINT_INACTIVE"
    RETURN_WINDOW_CLOSED = "RETURN_WINDOW_CLOSED"
    CREDIT_LIMIT_EXCEEDED = "CREDIT_LIMIT_EXCEEDED"
    SHIPPING_UNAVAILABLE = "SHIPPING_UNAVAILABLE"


@dataclass(frozen=True)
class Problem:
    code: ErrorCode
    message: str
    field: tuple[str, ...] | None = None


class DomainError(Exception):
    """A business refusal: raising it inside a unit of work rolls everything back."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("; ".join(p.message for p in self.problems))

    @classmethod
    def of(cls, code: ErrorCode, message: str, *field: str | int) -> DomainError:
        return cls(Problem(code, message, tuple(str(f) for f in field) or None))


class Problems:
    """Collects every problem of an input before refusing it, so a client sees them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, code: ErrorCode, message: str, *field: str | int) -> None:
        self.items.append(Problem(code, message, tuple(str(f) for f in field) or None))

    def raise_if_any(self) -> None:
        if self.items:
            raise DomainError(list(self.items))


class AccessDenied(Exception):
    """Missing (UNAUTHENTICATED) or insufficient (FORBIDDEN) credentials."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        self.code = code
        super().__init__(message)
