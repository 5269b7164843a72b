"""Tortoise models, one module per domain area. `MODEL_MODULES` is what Tortoise loads."""
from __future__ import annotations

from oms.models.access import ApiToken, AuditEntry
from oms.models.catalog import Channel, Node, Sku
from oms.models.companies import Company
from oms.models.documents import Document
from oms.models.events import OutboxEvent, OutboxSequence
from oms.models.inventory import ChannelStock, InventoryPosition, StockLedgerEntry
from oms.models.notifications import BackInStockRequest, Notification
from oms.models.orders import (
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderLine,
    PaymentTransaction,
    Reservation,
    ReservationLine,
    SequenceCounter,
)
from oms.models.returns import Return, ReturnLine
from oms.models.schedules import OrderSchedule, ScheduleRun
from oms.models.shipping import Carrier, ShippingRate, ShippingService
from oms.models.sourcing import RoutingRule, RoutingRuleVersion, SourcingDecisionRecord
from oms.models.webhooks import WebhookDelivery, WebhookEndpoint

MODEL_MODULES = [
    "oms.models.access",
    "oms.models.catalog",
    "oms.models.documents",
    "oms.models.companies",
    "oms.models.events",
    "oms.models.inventory",
    "oms.models.notifications",
    "oms.models.orders",
    "oms.models.returns",
    "oms.models.schedules",
    "oms.models.shipping",
    "oms.models.sourcing",
    "oms.models.webhooks",
]

__all__ = [
    "ApiToken", "AuditEntry", "BackInStockRequest", "Carrier", "Channel", "ChannelStock", "Company",
    "Document", "Fulfillment", "FulfillmentLine", "InventoryPosition", "Node", "Notification",
    "Order", "OrderEvent", "OrderLine", "OrderSchedule",
    "OutboxEvent", "OutboxSequence", "PaymentTransaction", "Reservation",
    "ReservationLine", "Return", "ReturnLine", "RoutingRule", "RoutingRuleVersion", "ScheduleRun",
    "SequenceCounter", "ShippingRate", "ShippingService", "Sku",
    "SourcingDecisionRecord", "StockLedgerEntry", "WebhookDelivery", "WebhookEndpoint",
    "MODEL_MODULES",
]
