"""Tortoise models, one module per domain area. `MODEL_MODULES` is what Tortoise loads."""
from __future__ import annotations

from oms.models.access import ApiToken, AuditEntry
from oms.models.catalog import Channel, Node, Sku
from oms.models.events import OutboxEvent, OutboxSequence
from oms.models.inventory import ChannelStock, InventoryPosition, StockLedgerEntry
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
from oms.models.sourcing import RoutingRule, SourcingDecisionRecord

MODEL_MODULES = [
    "oms.models.access",
    "oms.models.catalog",
    "oms.models.events",
    "oms.models.inventory",
    "oms.models.orders",
    "oms.models.returns",
    "oms.models.sourcing",
]

__all__ = [
    "ApiToken", "AuditEntry", "Channel", "ChannelStock", "Fulfillment", "FulfillmentLine",
    "InventoryPosition", "Node",
    "Order", "OrderEvent", "OrderLine", "OutboxEvent", "OutboxSequence", "PaymentTransaction", "Reservation",
    "ReservationLine", "Return", "ReturnLine", "RoutingRule", "SequenceCounter", "Sku",
    "SourcingDecisionRecord", "StockLedgerEntry", "MODEL_MODULES",
]
