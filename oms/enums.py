"""Domain vocabularies. The GraphQL enums are built from these, never the other way round."""
from __future__ import annotations

from enum import StrEnum


class NodeType(StrEnum):
    WAREHOUSE = "WAREHOUSE"
    DISTRIBUTION_CENTER = "DISTRIBUTION_CENTER"
    STORE = "STORE"
    PICKUP_POINT = "PICKUP_POINT"
    DROPSHIP_VENDOR = "DROPSHIP_VENDOR"


class ChannelType(StrEnum):
    WEB = "WEB"
    APP = "APP"
    MARKETPLACE = "MARKETPLACE"
    STORE = "STORE"
    CALL_CENTER = "CALL_CENTER"
    KIOSK = "KIOSK"
    B2B = "B2B"


class DeliveryMethod(StrEnum):
    SHIP_TO_ADDRESS = "SHIP_TO_ADDRESS"
    PICKUP_IN_STORE = "PICKUP_IN_STORE"


class SplitPolicy(StrEnum):
    ALLOW_SPLIT = "ALLOW_SPLIT"
    SHIP_COMPLETE = "SHIP_COMPLETE"


class OrderStatus(StrEnum):
    CREATED = "CREATED"
    BACKORDERED = "BACKORDERED"
    PARTIALLY_ALLOCATED = "PARTIALLY_ALLOCATED"
    ALLOCATED = "ALLOCATED"
    IN_FULFILLMENT = "IN_FULFILLMENT"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"
    RETURNED = "RETURNED"


class FulfillmentStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    PICKED = "PICKED"
    PACKED = "PACKED"
    READY_FOR_PICKUP = "READY_FOR_PICKUP"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    PICKED_UP = "PICKED_UP"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    AUTHORIZED = "AUTHORIZED"
    PARTIALLY_CAPTURED = "PARTIALLY_CAPTURED"
    CAPTURED = "CAPTURED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    VOIDED = "VOIDED"
    FAILED = "FAILED"


class ReturnStatus(StrEnum):
    REQUESTED = "REQUESTED"
    RECEIVED = "RECEIVED"
    REFUNDED = "REFUNDED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class ReturnDisposition(StrEnum):
    RESTOCK = "RESTOCK"
    SCRAP = "SCRAP"
    RETURN_TO_VENDOR = "RETURN_TO_VENDOR"


class ReservationStatus(StrEnum):
    ACTIVE = "ACTIVE"
    CONSUMED = "CONSUMED"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"


class StockBucket(StrEnum):
    """Where a ledger entry moved units: sellable on-hand, reserved, or held returns."""

    ON_HAND = "ON_HAND"
    RESERVED = "RESERVED"
    SCRAPPED = "SCRAPPED"
    RETURN_TO_VENDOR = "RETURN_TO_VENDOR"


class PaymentTransactionKind(StrEnum):
    AUTHORIZE = "AUTHORIZE"
    CAPTURE = "CAPTURE"
    VOID = "VOID"
    REFUND = "REFUND"


class StockReason(StrEnum):
    """Why a ledger entry moved stock (the ledger's `reason`)."""

    SYNC = "SYNC"
    ADJUST = "ADJUST"
    RESERVE = "RESERVE"
    RELEASE = "RELEASE"
    CONSUME = "CONSUME"
    EXPIRE = "EXPIRE"
    ORDER = "ORDER"
    SHIP = "SHIP"
    CANCEL = "CANCEL"
    REJECTED = "REJECTED"
    OVERRIDE = "OVERRIDE"
    RETURN = "RETURN"
