"""Where stock lives (nodes), who sells it (channels), and what is sold (SKUs)."""
from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from oms.enums import ChannelType, NodeType


class Node(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    type = fields.CharEnumField(NodeType, max_length=32)
    active = fields.BooleanField(default=True)
    address: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    priority = fields.IntField(default=100)
    can_ship = fields.BooleanField(default=True)
    can_pickup = fields.BooleanField(default=False)
    daily_capacity = fields.IntField(null=True)
    processing_time_hours = fields.FloatField(default=24.0)
    "Shipping cost model: base + per_km * distance, in the node's operating currency."
    shipping_cost_base = fields.DecimalField(max_digits=12, decimal_places=2, default=5)
    shipping_cost_per_km = fields.DecimalField(max_digits=12, decimal_places=4, default="0.01")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "node"


class Channel(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    type = fields.CharEnumField(ChannelType, max_length=32)
    currency = fields.CharField(max_length=3)
    active = fields.BooleanField(default=True)
    buffer = fields.IntField(default=0)
    "Node codes whose stock this channel never sees."
    excluded_node_codes: fields.Field[list[str]] = fields.JSONField(default=list)
    node_types: fields.Field[list[str]] = fields.JSONField(default=list)
    allocation_percent = fields.IntField(default=100)
    order_prefix = fields.CharField(max_length=16)
    "Language of the customer messages of this channel (it, es, en...); null: from the address."
    language = fields.CharField(max_length=8, null=True)
    "Days after delivery (or pickup) within which a return may be requested; null: no limit."
    return_window_days = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "channel"


class Sku(Model):
    """A sellable item. SKUs become known through inventory syncs (the ERP/WMS is the master)."""

    code = fields.CharField(max_length=64, primary_key=True)
    name = fields.CharField(max_length=200, null=True)
    weight_kg = fields.FloatField(null=True)
    shipping_class = fields.CharField(max_length=64, null=True)
    "Services listing it in their excluded classes do not carry the item (e.g. HAZMAT)."
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sku"
