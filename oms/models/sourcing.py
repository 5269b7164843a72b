from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from oms.enums import SplitPolicy
from oms.sourcing.model import DEFAULT_MAX_SPLITS

if TYPE_CHECKING:
    from oms.models.orders import Order


class RoutingRule(Model):
    """Sourcing rule, edited at run time. The active matching rule with the lowest rank wins."""

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=200)
    rank = fields.IntField()
    active = fields.BooleanField(default=True)
    channels: fields.Field[list[str]] = fields.JSONField(default=list)
    delivery_methods: fields.Field[list[str]] = fields.JSONField(default=list)
    effective_from = fields.DatetimeField(null=True)
    effective_to = fields.DatetimeField(null=True)
    split_policy = fields.CharEnumField(SplitPolicy, max_length=16, default=SplitPolicy.ALLOW_SPLIT)
    max_splits = fields.IntField(default=DEFAULT_MAX_SPLITS)
    prefer_node_types: fields.Field[list[str]] = fields.JSONField(default=list)
    "distance, cost, priority, backlog, processing_time"
    weights: fields.Field[dict[str, float]] = fields.JSONField(default=dict)
    respect_capacity = fields.BooleanField(default=True)
    allow_backorder = fields.BooleanField(default=True)
    "The number of its latest RoutingRuleVersion: placement reads it with the rule."
    version = fields.IntField(default=1, db_default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "routing_rule"


class RoutingRuleVersion(Model):
    """One saved state of a rule, written with every create, update, delete and restore.

    Kept when the rule is deleted (no foreign key), so a decision naming a version can
    always be explained; `rule` is the engine's record of the rule (`Rule.to_record`)."""

    id = fields.BigIntField(primary_key=True)
    rule_id = fields.UUIDField()
    version = fields.IntField()
    rule: fields.Field[dict[str, Any]] = fields.JSONField()
    "This version records the rule's deletion (`rule`: the rule as it stood then)."
    deleted = fields.BooleanField(default=False)
    changed_at = fields.DatetimeField(auto_now_add=True)
    "Name of the API token that made the change (the operator's label for CLI changes)."
    changed_by = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "routing_rule_version"
        unique_together = (("rule_id", "version"),)


class SourcingDecisionRecord(Model):
    """What the engine decided for an order and why (rule, allocations, candidates with reasons)."""

    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "oms.Order", related_name="decisions", on_delete=fields.CASCADE
    )
    order_id: str
    rule_id = fields.CharField(max_length=36, null=True)
    "The decision as plain data (see oms.sourcing.engine.Decision.to_record)."
    decision: fields.Field[dict[str, Any]] = fields.JSONField()
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sourcing_decision"
        indexes = (("order_id",),)
