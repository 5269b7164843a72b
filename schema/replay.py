"""The what-if replay of past orders through other routing rules (`replaySourcing`)."""
from __future__ import annotations

from datetime import datetime

import strawberry

from oms.enums import ReplayStock
from oms.routing import replay
from schema.catalog import FulfillmentNode
from schema.context import Info
from schema.orders import Order
from schema.sourcing import RoutingRuleInput, SourcingAllocation, node_of

MAX_EXAMPLES = replay.EXAMPLES


@strawberry.input
class SourcingReplayInput:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    channel: str | None = None
    rules: list[RoutingRuleInput] | None = strawberry.field(default=None, description=(
        "The rule set to try, replacing the live rules for the replay (same fields as\n"
        "upsertRoutingRule; ids may name live rules to change them). Omit to replay the live "
        "rules.\nThe live rules not named stay as they are; `active: false` with a rule's id "
        "leaves it out."))
    stock: ReplayStock | None = ReplayStock.AT_ORDER_TIME
    limit: int | None = strawberry.field(default=5000, description=(
        f"Replay at most this many orders of the window (a uniform sample when there are "
        f"more; the same sample every time), 1..{replay.MAX_LIMIT}."))

    def to_spec(self) -> replay.ReplaySpec:
        return replay.ReplaySpec(
            start=self.from_, end=self.to, channel=self.channel,
            rules=None if self.rules is None else [rule.to_spec() for rule in self.rules],
            stock=self.stock or ReplayStock.AT_ORDER_TIME,
            limit=5000 if self.limit is None else self.limit)


@strawberry.type
class ReplayNodeLoad:
    units: int
    fulfillments: int
    node_code_: strawberry.Private[str]

    @strawberry.field
    async def node(self, info: Info) -> FulfillmentNode:
        return await node_of(info, self.node_code_)


@strawberry.type(description="Totals over the replayed orders for one way of sourcing them.")
class SourcingOutcome:
    orders: int
    fully_sourced: int = strawberry.field(description="Orders whose every unit found a node.")
    backordered_units: int
    shipments: int = strawberry.field(description="Nodes shipping, summed over orders.")
    split_rate: float = strawberry.field(description="Orders sent to more than one node.")
    mean_distance_km: float = strawberry.field(
        description="Mean great-circle km from node to customer, per shipment.")
    capacity_breaches: int = strawberry.field(description=(
        "Sum over nodes of the fulfillments beyond their daily capacity, day by day."))
    node_load: list[ReplayNodeLoad] = strawberry.field(description="Units per node.")

    @classmethod
    def of(cls, outcome: replay.Outcome) -> SourcingOutcome:
        return cls(
            orders=outcome.orders, fully_sourced=outcome.fully_sourced,
            backordered_units=outcome.backordered_units, shipments=outcome.shipments,
            split_rate=round(outcome.split_rate, 6),
            mean_distance_km=round(outcome.mean_distance_km, 3),
            capacity_breaches=outcome.capacity_breaches,
            node_load=[ReplayNodeLoad(units=n.units, fulfillments=n.fulfillments,
                                      node_code_=n.node_code) for n in outcome.node_load])


@strawberry.type
class ReplayOrderDiff:
    order: Order
    actual: list[SourcingAllocation] = strawberry.field(
        description="Nodes chosen when the order was placed.")
    replayed: list[SourcingAllocation] = strawberry.field(
        description="Nodes the tried rules choose.")

    @classmethod
    def of(cls, diff: replay.OrderDiff) -> ReplayOrderDiff:
        return cls(order=Order.of(diff.order), actual=SourcingAllocation.all_of(diff.actual),
                   replayed=SourcingAllocation.all_of(diff.replayed))


@strawberry.type(description="What the tried rules would have done to past orders, beside what "
                             "was done.")
class SourcingReplay:
    orders_in_window: int = strawberry.field(
        description="Orders in the window, and how many were replayed.")
    replayed: SourcingOutcome
    actual: SourcingOutcome
    changed_orders: int = strawberry.field(description="Orders the tried rules source differently.")
    elapsed_ms: float
    examples_: strawberry.Private[tuple[replay.OrderDiff, ...]]

    @strawberry.field(description=f"Some of the changed orders, side by side, oldest first "
                                  f"(at most {MAX_EXAMPLES}).")
    def examples(self, first: int | None = 10) -> list[ReplayOrderDiff]:
        count = max(0, min(MAX_EXAMPLES, 10 if first is None else first))
        return [ReplayOrderDiff.of(diff) for diff in self.examples_[:count]]

    @classmethod
    def of(cls, result: replay.Replay) -> SourcingReplay:
        return cls(orders_in_window=result.orders_in_window,
                   replayed=SourcingOutcome.of(result.replayed),
                   actual=SourcingOutcome.of(result.actual), changed_orders=result.changed_orders,
                   elapsed_ms=round(result.elapsed_ms, 3), examples_=result.examples)
