"""Orders, their lines, the fulfillments sent to nodes, order history, payments and cart holds."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from oms.enums import (
    DeliveryMethod,
    FulfillmentStatus,
    OrderStatus,
    PaymentStatus,
    PaymentTransactionKind,
    ReservationStatus,
)

if TYPE_CHECKING:
    from oms.models.catalog import Channel, Node
    from oms.models.companies import Company
    from oms.models.sourcing import RoutingRule


class SequenceCounter(Model):
    """Named counters for human numbers (WEB-000042, RMA-000007)."""

    name = fields.CharField(max_length=64, primary_key=True)
    value = fields.BigIntField(default=0)

    class Meta:
        table = "sequence_counter"


class Order(Model):
    id = fields.UUIDField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    channel: fields.ForeignKeyRelation[Channel] = fields.ForeignKeyField(
        "oms.Channel", related_name="orders", on_delete=fields.RESTRICT
    )
    channel_id: int
    status = fields.CharEnumField(OrderStatus, max_length=24, default=OrderStatus.CREATED)
    payment_status = fields.CharEnumField(PaymentStatus, max_length=24, default=PaymentStatus.PENDING)
    customer_email = fields.CharField(max_length=320, db_index=True)
    customer_ref = fields.CharField(max_length=200, null=True, db_index=True)
    delivery_method = fields.CharEnumField(DeliveryMethod, max_length=24)
    shipping_address: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    pickup_node: fields.ForeignKeyNullableRelation[Node] = fields.ForeignKeyField(
        "oms.Node", related_name="pickup_orders", null=True, on_delete=fields.RESTRICT
    )
    pickup_node_id: int | None
    currency = fields.CharField(max_length=3)
    total = fields.DecimalField(max_digits=14, decimal_places=2)
    "Goods plus shipping: what the payment covers."
    shipping_service_code = fields.CharField(max_length=64, null=True)
    shipping_total = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    "None when no shipping rates were configured when it was placed (or it is picked up)."
    payment_reference = fields.CharField(max_length=200, null=True)
    idempotency_key = fields.CharField(max_length=200, null=True, unique=True)
    "SHA-256 of the request placed with the key: a retry must send the same one."
    idempotency_fingerprint = fields.CharField(max_length=64, null=True)
    rule: fields.ForeignKeyNullableRelation[RoutingRule] = fields.ForeignKeyField(
        "oms.RoutingRule", related_name="orders", null=True, on_delete=fields.SET_NULL
    )
    rule_id: str | None
    "B2B: the company ordering, its purchase order number, and whether it pays on terms."
    company: fields.ForeignKeyNullableRelation[Company] = fields.ForeignKeyField(
        "oms.Company", related_name="orders", null=True, on_delete=fields.RESTRICT
    )
    company_id: int | None
    purchase_order_number = fields.CharField(max_length=100, null=True)
    on_account = fields.BooleanField(default=False)
    "Name of the token that placed it (a sales rep, a storefront)."
    placed_by = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "order"


class OrderLine(Model):
    id = fields.UUIDField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "oms.Order", related_name="lines", on_delete=fields.CASCADE
    )
    order_id: str
    position = fields.IntField()
    sku = fields.CharField(max_length=64)
    quantity = fields.IntField()
    unit_price = fields.DecimalField(max_digits=14, decimal_places=2)
    allocated_quantity = fields.IntField(default=0)
    backordered_quantity = fields.IntField(default=0)
    shipped_quantity = fields.IntField(default=0)
    delivered_quantity = fields.IntField(default=0)
    cancelled_quantity = fields.IntField(default=0)
    returned_quantity = fields.IntField(default=0)

    class Meta:
        table = "order_line"
        ordering = ["position"]
        "An order's lines are read by its id (every order read, the KPIs)."
        indexes = (("order_id",),)


class Fulfillment(Model):
    id = fields.UUIDField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "oms.Order", related_name="fulfillments", on_delete=fields.CASCADE
    )
    order_id: str
    node: fields.ForeignKeyRelation[Node] = fields.ForeignKeyField(
        "oms.Node", related_name="fulfillments", on_delete=fields.RESTRICT
    )
    node_id: int
    status = fields.CharEnumField(FulfillmentStatus, max_length=24, default=FulfillmentStatus.PENDING)
    carrier = fields.CharField(max_length=100, null=True)
    tracking_number = fields.CharField(max_length=200, null=True)
    reason = fields.CharField(max_length=500, null=True)
    shipping_service_code = fields.CharField(max_length=64, null=True)
    shipping_cost = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "fulfillment"
        "Sourcing counts a node's open fulfillments (backlog), today's (capacity); an order's by id."
        indexes = (("node_id", "status"), ("node_id", "created_at"), ("order_id",))


class FulfillmentLine(Model):
    id = fields.BigIntField(primary_key=True)
    fulfillment: fields.ForeignKeyRelation[Fulfillment] = fields.ForeignKeyField(
        "oms.Fulfillment", related_name="lines", on_delete=fields.CASCADE
    )
    fulfillment_id: str
    order_line: fields.ForeignKeyRelation[OrderLine] = fields.ForeignKeyField(
        "oms.OrderLine", related_name="fulfillment_lines", on_delete=fields.CASCADE
    )
    order_line_id: str
    sku = fields.CharField(max_length=64)
    quantity = fields.IntField()

    class Meta:
        table = "fulfillment_line"
        indexes = (("fulfillment_id",),)


class OrderEvent(Model):
    """Append-only history of an order. The id orders events and lets clients resume after one."""

    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "oms.Order", related_name="events", on_delete=fields.CASCADE
    )
    order_id: str
    type = fields.CharField(max_length=48)
    status = fields.CharEnumField(OrderStatus, max_length=24)
    message = fields.CharField(max_length=1000, null=True)
    data: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "order_event"
        ordering = ["id"]
        indexes = (("order_id",),)


class PaymentTransaction(Model):
    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "oms.Order", related_name="payments", on_delete=fields.CASCADE
    )
    order_id: str
    kind = fields.CharEnumField(PaymentTransactionKind, max_length=16)
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    currency = fields.CharField(max_length=3)
    provider = fields.CharField(max_length=64)
    reference = fields.CharField(max_length=200, null=True)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payment_transaction"


class Reservation(Model):
    """A cart hold: stock reserved at nodes until an order consumes it or it expires."""

    id = fields.UUIDField(primary_key=True)
    channel: fields.ForeignKeyRelation[Channel] = fields.ForeignKeyField(
        "oms.Channel", related_name="reservations", on_delete=fields.RESTRICT
    )
    channel_id: int
    status = fields.CharEnumField(ReservationStatus, max_length=16, default=ReservationStatus.ACTIVE)
    "Who holds the cart, so an expired hold (an abandoned cart) can be followed up."
    customer_email = fields.CharField(max_length=320, null=True)
    expires_at = fields.DatetimeField(db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reservation"
        indexes = (("status", "expires_at"),)


class ReservationLine(Model):
    id = fields.BigIntField(primary_key=True)
    reservation: fields.ForeignKeyRelation[Reservation] = fields.ForeignKeyField(
        "oms.Reservation", related_name="lines", on_delete=fields.CASCADE
    )
    reservation_id: str
    sku = fields.CharField(max_length=64)
    node: fields.ForeignKeyRelation[Node] = fields.ForeignKeyField(
        "oms.Node", related_name="reservation_lines", on_delete=fields.RESTRICT
    )
    node_id: int
    quantity = fields.IntField()

    class Meta:
        table = "reservation_line"
        "A hold's lines are read when it is consumed, released or expired."
        indexes = (("reservation_id",),)
