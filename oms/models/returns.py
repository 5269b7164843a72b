from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from oms.enums import ReturnDisposition, ReturnStatus

if TYPE_CHECKING:
    from oms.models.catalog import Channel, Node
    from oms.models.orders import Order, OrderLine


class Return(Model):
    id = fields.UUIDField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "oms.Order", related_name="returns", on_delete=fields.CASCADE
    )
    order_id: str
    status = fields.CharEnumField(ReturnStatus, max_length=16, default=ReturnStatus.REQUESTED)
    channel: fields.ForeignKeyNullableRelation[Channel] = fields.ForeignKeyField(
        "oms.Channel", related_name="returns", null=True, on_delete=fields.RESTRICT
    )
    channel_id: int | None
    received_node: fields.ForeignKeyNullableRelation[Node] = fields.ForeignKeyField(
        "oms.Node", related_name="received_returns", null=True, on_delete=fields.RESTRICT
    )
    received_node_id: int | None
    refund_amount = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "return"
        indexes = (("order_id",),)


class ReturnLine(Model):
    id = fields.BigIntField(primary_key=True)
    return_: fields.ForeignKeyRelation[Return] = fields.ForeignKeyField(
        "oms.Return", related_name="lines", on_delete=fields.CASCADE, source_field="return_id"
    )
    order_line: fields.ForeignKeyRelation[OrderLine] = fields.ForeignKeyField(
        "oms.OrderLine", related_name="return_lines", on_delete=fields.CASCADE
    )
    order_line_id: str
    sku = fields.CharField(max_length=64)
    quantity = fields.IntField()
    received_quantity = fields.IntField(default=0)
    reason = fields.CharField(max_length=500)
    disposition = fields.CharEnumField(ReturnDisposition, max_length=24, null=True)

    class Meta:
        table = "return_line"
        indexes = (("return_id",),)
