"""Turning a sourcing decision into rows: lines, one fulfillment per node, the recorded decision."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise import connections

from oms.clock import now
from oms.db import is_postgres
from oms.enums import FulfillmentStatus, OrderEventType
from oms.events.topics import FULFILLMENT_CREATED, fulfillment_created
from oms.models import (
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderLine,
    PaymentTransaction,
    SourcingDecisionRecord,
)
from oms.orders.history import new_event
from oms.orders.inputs import OrderSpec
from oms.orders.insert import insert_order
from oms.orders.lines import assign, by_node
from oms.orders.status import apply_derived_status
from oms.shipping.charges import Charge
from oms.sourcing import Decision
from oms.uow import UnitOfWork


@dataclass
class Fulfilled:
    """Fulfillments made (or grown) for some allocations, and their new lines."""

    created: list[Fulfillment]
    lines: list[FulfillmentLine]


def fulfil(order: Order, lines: Sequence[OrderLine], wanted: Sequence[int], decision: Decision,
           node_ids: dict[str, int], pending: dict[int, Fulfillment] | None = None) -> Fulfilled:
    """Allocate `decision` over `lines` (`wanted`: units to allocate per line), in memory.

    Each node gets one fulfillment: its PENDING one in `pending` when there is one,
    else a new PENDING one. Line buckets are updated so that
    quantity = allocated + backordered + cancelled.
    """
    shares = assign([(line.sku, units) for line, units in zip(lines, wanted, strict=True)],
                    decision.allocations)
    pending = pending or {}
    made = Fulfilled([], [])
    for node_code, parts in by_node(shares).items():
        node_id = node_ids[node_code]
        target = pending.get(node_id)
        if target is None:
            target = Fulfillment(id=uuid.uuid4(), order_id=order.id, node_id=node_id,
                                 status=FulfillmentStatus.PENDING, created_at=now())
            made.created.append(target)
        for index, quantity in parts:
            line = lines[index]
            line.allocated_quantity += quantity
            made.lines.append(FulfillmentLine(fulfillment_id=target.id, order_line_id=line.id,
                                              sku=line.sku, quantity=quantity))
    for line in lines:
        line.backordered_quantity = (line.quantity - line.allocated_quantity
                                     - line.cancelled_quantity)
    return made


def announce_fulfillments(uow: UnitOfWork, created: Sequence[Fulfillment], channel_code: str,
                          node_ids: dict[str, int]) -> None:
    """Record a `fulfillment.created` outbox event per new fulfillment (same unit of work)."""
    codes = {node_id: code for code, node_id in node_ids.items()}
    for made in created:
        uow.record(FULFILLMENT_CREATED, fulfillment_created(
            str(made.id), str(made.order_id), channel_code, codes[made.node_id]))


async def save_fulfilled(made: Fulfilled) -> None:
    """Insert what `fulfil` made."""
    if made.created:
        await Fulfillment.bulk_create(made.created)
    if made.lines:
        await FulfillmentLine.bulk_create(made.lines)


async def record_decision(order: Order, decision: Decision) -> None:
    """Keep the decision with its reasons (what `sourcingDecision` shows)."""
    await SourcingDecisionRecord.create(order_id=order.id, rule_id=decision.rule.id,
                                        decision=decision.to_record())


@dataclass
class OrderDraft:
    """A new order's rows, built in memory from the spec and the decision."""

    order: Order
    lines: list[OrderLine]
    fulfillments: list[Fulfillment]
    made: Fulfilled
    decision: Decision

    @classmethod
    def of(cls, order: Order, spec: OrderSpec, decision: Decision,
           node_ids: dict[str, int], charge: Charge | None = None) -> OrderDraft:
        lines = [
            OrderLine(id=uuid.uuid4(), order_id=order.id, position=i, sku=line.sku,
                      quantity=line.quantity, unit_price=line.unit_price.amount)
            for i, line in enumerate(spec.lines)
        ]
        made = fulfil(order, lines, [line.quantity for line in lines], decision, node_ids)
        apply_derived_status(order, lines, made.created)
        order.rule_id = decision.rule.id
        if charge is not None:
            _charge(order, made.created, node_ids, charge)
        return cls(order, lines, made.created, made, decision)

    async def save(self, payment: PaymentTransaction | None,
                   events: Sequence[OrderEvent]) -> None:
        """Insert the order, its lines, fulfillments, decision, authorization (`payment`) and
        history `events` (which get their ids): one statement on PostgreSQL."""
        record = SourcingDecisionRecord(order_id=self.order.id, rule_id=self.decision.rule.id,
                                        decision=self.decision.to_record())
        if is_postgres(connections.get("default")):
            await insert_order([[self.order], self.lines, self.made.created, self.made.lines,
                                [record], [payment] if payment else []], events)
            return
        await self.order.save(force_create=True)
        await OrderLine.bulk_create(self.lines)
        await save_fulfilled(self.made)
        await record.save(force_create=True)
        if payment is not None:
            await payment.save(force_create=True)
        for event in events:
            await event.save(force_create=True)

    def events(self, channel_code: str) -> list[OrderEvent]:
        """The new order's history: placed, then where its units go."""
        decision = self.decision
        nodes = ", ".join(decision.node_codes) or "no node"
        return [
            new_event(self.order, OrderEventType.ORDER_CREATED, f"placed on channel {channel_code}",
                      {"lines": len(self.lines), "rule": decision.rule.name}),
            new_event(self.order, allocation_event(decision),
                      f"sourced by rule {decision.rule.name} from {nodes}",
                      allocation_data(decision)),
        ]


def _charge(order: Order, fulfillments: Sequence[Fulfillment], node_ids: dict[str, int],
            charge: Charge) -> None:
    """The service and shipping total on the order (its total becomes goods + shipping), and
    each parcel's price on its fulfillment."""
    order.shipping_service_code = charge.service_code
    order.shipping_total = charge.total
    order.total += charge.total
    codes = {node_id: code for code, node_id in node_ids.items()}
    for fulfillment in fulfillments:
        fulfillment.shipping_service_code = charge.service_code
        fulfillment.shipping_cost = charge.parcel_prices.get(codes[fulfillment.node_id])


def allocation_event(decision: Decision) -> OrderEventType:
    """ALLOCATED, PARTIALLY_ALLOCATED or BACKORDERED, by what the decision achieved."""
    if not decision.backordered:
        return OrderEventType.ALLOCATED
    return OrderEventType.PARTIALLY_ALLOCATED if decision.allocations else OrderEventType.BACKORDERED


def allocation_data(decision: Decision) -> dict[str, list[dict[str, object]]]:
    return {
        "allocations": [{"node": a.node_code, "sku": a.sku, "quantity": a.quantity}
                        for a in decision.allocations],
        "backordered": [{"sku": sku, "quantity": qty} for sku, qty in decision.backordered],
    }
