"""B2B accounts: companies buying on payment terms within a credit limit."""
from __future__ import annotations

from decimal import Decimal

from tortoise import fields
from tortoise.models import Model

from oms.enums import PaymentTerms


class Company(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    vat_number = fields.CharField(max_length=32, null=True)
    payment_terms = fields.CharEnumField(PaymentTerms, max_length=16, default=PaymentTerms.PREPAID)
    "Unpaid order totals may not exceed this (null: no limit), in `currency`."
    credit_limit = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    "Unpaid totals of its orders on terms: held at placement, released by recordPayment."
    credit_used = fields.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    currency = fields.CharField(max_length=3)
    channels: fields.Field[list[str]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "company"
