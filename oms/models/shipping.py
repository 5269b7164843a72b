"""Carriers, their services and the services' rate tables."""
from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Carrier(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)

    class Meta:
        table = "carrier"


class ShippingService(Model):
    """One way a carrier delivers (standard, express...), its code unique across carriers."""

    id = fields.IntField(primary_key=True)
    carrier: fields.ForeignKeyRelation[Carrier] = fields.ForeignKeyField(
        "oms.Carrier", related_name="services", on_delete=fields.CASCADE)
    carrier_id: int
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    transit_days = fields.IntField()
    excluded_classes: fields.Field[list[str]] = fields.JSONField(default=list)

    class Meta:
        table = "shipping_service"


class ShippingRate(Model):
    """A parcel price for a service to some destination countries (none: everywhere), up to a
    weight."""

    id = fields.IntField(primary_key=True)
    service: fields.ForeignKeyRelation[ShippingService] = fields.ForeignKeyField(
        "oms.ShippingService", related_name="rates", on_delete=fields.CASCADE)
    service_id: int
    countries: fields.Field[list[str]] = fields.JSONField(default=list)
    max_weight_kg = fields.FloatField()
    price = fields.DecimalField(max_digits=14, decimal_places=2)
    currency = fields.CharField(max_length=3)
    free_above = fields.DecimalField(max_digits=14, decimal_places=2, null=True)

    class Meta:
        table = "shipping_rate"
