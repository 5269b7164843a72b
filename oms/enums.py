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


class ReplayStock(StrEnum):
    """The stock a what-if replay's orders meet (`oms.routing.replay`)."""

    AT_ORDER_TIME = "AT_ORDER_TIME"
    CURRENT = "CURRENT"


class AllocationSearch(StrEnum):
    """How a sourcing decision's allocation was found (see `oms.sourcing.search`)."""

    EXACT = "EXACT"
    HEURISTIC = "HEURISTIC"


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


class DocumentKind(StrEnum):
    PACKING_SLIP = "PACKING_SLIP"
    DELIVERY_NOTE = "DELIVERY_NOTE"
    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"


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


class PaymentTerms(StrEnum):
    """How a company pays: when ordering (PREPAID), or on account within 30 or 60 days."""

    PREPAID = "PREPAID"
    NET_30 = "NET_30"
    NET_60 = "NET_60"


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


class OrderEventType(StrEnum):
    """What an entry of an order's history says happened (`OrderEvent.type`)."""

    ORDER_CREATED = "ORDER_CREATED"
    ALLOCATED = "ALLOCATED"
    PARTIALLY_ALLOCATED = "PARTIALLY_ALLOCATED"
    BACKORDERED = "BACKORDERED"
    BACKORDER_RELEASED = "BACKORDER_RELEASED"
    ROUTING_OVERRIDDEN = "ROUTING_OVERRIDDEN"
    FULFILLMENT_ACCEPTED = "FULFILLMENT_ACCEPTED"
    FULFILLMENT_PICKED = "FULFILLMENT_PICKED"
    FULFILLMENT_PACKED = "FULFILLMENT_PACKED"
    FULFILLMENT_READY_FOR_PICKUP = "FULFILLMENT_READY_FOR_PICKUP"
    FULFILLMENT_SHIPPED = "FULFILLMENT_SHIPPED"
    FULFILLMENT_DELIVERED = "FULFILLMENT_DELIVERED"
    FULFILLMENT_REJECTED = "FULFILLMENT_REJECTED"
    PICKED_UP = "PICKED_UP"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"
    LINES_CANCELLED = "LINES_CANCELLED"
    RETURN_REQUESTED = "RETURN_REQUESTED"
    RETURN_RECEIVED = "RETURN_RECEIVED"
    RETURN_REJECTED = "RETURN_REJECTED"
    RETURN_CANCELLED = "RETURN_CANCELLED"
    REFUNDED = "REFUNDED"
    PAYMENT_CAPTURED = "PAYMENT_CAPTURED"
    PAYMENT_VOIDED = "PAYMENT_VOIDED"
    PAYMENT_RECORDED = "PAYMENT_RECORDED"


class WebhookEventType(StrEnum):
    """What a webhook delivery tells of (`oms.webhooks.events` maps outbox topics to these)."""

    ORDER_CREATED = "ORDER_CREATED"
    ORDER_STATUS_CHANGED = "ORDER_STATUS_CHANGED"
    FULFILLMENT_CREATED = "FULFILLMENT_CREATED"
    FULFILLMENT_SHIPPED = "FULFILLMENT_SHIPPED"
    FULFILLMENT_DELIVERED = "FULFILLMENT_DELIVERED"
    ORDER_CANCELLED = "ORDER_CANCELLED"
    RETURN_REQUESTED = "RETURN_REQUESTED"
    RETURN_RECEIVED = "RETURN_RECEIVED"
    REFUND_ISSUED = "REFUND_ISSUED"
    STOCK_CHANGED = "STOCK_CHANGED"
    STOCK_LOW = "STOCK_LOW"
    RESERVATION_EXPIRED = "RESERVATION_EXPIRED"


class WebhookDeliveryStatus(StrEnum):
    PENDING = "PENDING"
    RETRYING = "RETRYING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
class NotificationKind(StrEnum):
    """What a customer is told (one `Notification` per order and kind)."""

    ORDER_CONFIRMED = "ORDER_CONFIRMED"
    SHIPPED = "SHIPPED"
    READY_FOR_PICKUP = "READY_FOR_PICKUP"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"
    BACK_IN_STOCK = "BACK_IN_STOCK"
    PICKUP_REMINDER = "PICKUP_REMINDER"


class NotificationStatus(StrEnum):
    QUEUED = "QUEUED"
    SENT = "SENT"
    FAILED = "FAILED"
    RECORDED = "RECORDED"


class ScheduleInterval(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


class ScheduleStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    CANCELLED = "CANCELLED"


class ScheduleCatchUp(StrEnum):
    """Runs missed while no scheduler ran (downtime): place every one, or only the latest."""
    ALL = "all"
    LATEST = "latest"
