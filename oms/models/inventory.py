"""Stock per SKU per node, and the append-only ledger of every change to it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from oms.enums import StockBucket

if TYPE_CHECKING:
    from oms.models.catalog import Channel, Node


class InventoryPosition(Model):
    id = fields.BigIntField(primary_key=True)
    sku = fields.CharField(max_length=64)
    node: fields.ForeignKeyRelation[Node] = fields.ForeignKeyField(
        "oms.Node", related_name="positions", on_delete=fields.RESTRICT
    )
    node_id: int
    on_hand = fields.IntField(default=0)
    reserved = fields.IntField(default=0)
    safety_stock = fields.IntField(default=0)
    "Returned units held, not sellable: scrapped and awaiting return to vendor."
    scrapped = fields.IntField(default=0)
    return_to_vendor = fields.IntField(default=0)
    "Units on the way here (purchase orders, transfers), as the last feed said: absolute."
    inbound = fields.IntField(default=0, db_default=0)
    "The reorder policy (`oms.replenishment`), none when reorder_point is null."
    reorder_point = fields.IntField(null=True)
    target_level = fields.IntField(null=True)
    lead_time_days = fields.FloatField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "inventory_position"
        unique_together = (("sku", "node"),)


class ChannelStock(Model):
    """The availability read model: what a channel may promise of a SKU, across its nodes.

    Kept by `oms.availability.read_model` in the transaction of every stock change;
    never written anywhere else. One total per delivery method the API can ask for.
    """

    id = fields.BigIntField(primary_key=True)
    channel: fields.ForeignKeyRelation[Channel] = fields.ForeignKeyField(
        "oms.Channel", related_name="stock", on_delete=fields.CASCADE
    )
    channel_id: int
    sku = fields.CharField(max_length=64)
    # Sums over every node the channel sees, each position up to 2**31 - 1: 64-bit.
    available = fields.BigIntField(default=0)
    ship_available = fields.BigIntField(default=0)
    pickup_available = fields.BigIntField(default=0)

    class Meta:
        table = "channel_stock"
        unique_together = (("channel", "sku"),)


class StockLedgerEntry(Model):
    id = fields.BigIntField(primary_key=True)
    sku = fields.CharField(max_length=64, db_index=True)
    node: fields.ForeignKeyRelation[Node] = fields.ForeignKeyField(
        "oms.Node", related_name="ledger", on_delete=fields.RESTRICT
    )
    node_id: int
    bucket = fields.CharEnumField(StockBucket, max_length=24)
    delta = fields.IntField()
    resulting = fields.IntField()
    "Why: SYNC, ADJUST, RESERVE, RELEASE, SHIP, RESTOCK, ... and a free-text note."
    reason = fields.CharField(max_length=32)
    note = fields.CharField(max_length=500, null=True)
    actor = fields.CharField(max_length=200, null=True)
    reference = fields.CharField(max_length=100, null=True)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "stock_ledger"
        # A replay reads the entries of its SKUs since its window opened (`oms.routing.past`).
        indexes = (("sku", "at"),)
