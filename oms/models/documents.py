"""Documents the OMS issues (packing slips, delivery notes, invoices, credit notes)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from oms.enums import DocumentKind

if TYPE_CHECKING:
    from oms.models.orders import Fulfillment, Order
    from oms.models.returns import Return


class Document(Model):
    """An issued document: its number and everything printed on it, frozen at issue (`content`),
    so the PDF rendered from it later is always the same whatever happens to the order."""

    id = fields.UUIDField(primary_key=True)
    kind = fields.CharEnumField(DocumentKind, max_length=16)
    number = fields.CharField(max_length=100, unique=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "oms.Order", related_name="documents", on_delete=fields.CASCADE
    )
    order_id: str
    fulfillment: fields.ForeignKeyNullableRelation[Fulfillment] = fields.ForeignKeyField(
        "oms.Fulfillment", related_name="documents", null=True, on_delete=fields.CASCADE
    )
    fulfillment_id: str | None
    return_: fields.ForeignKeyNullableRelation[Return] = fields.ForeignKeyField(
        "oms.Return", related_name="documents", null=True, on_delete=fields.CASCADE,
        source_field="return_id"
    )
    content: fields.Field[dict[str, Any]] = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "document"
        ordering = ["created_at", "number"]
        indexes = (("order_id",), ("fulfillment_id",))
