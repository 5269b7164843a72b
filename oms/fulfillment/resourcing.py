"""Source some lines of an existing order again, with the order's rule, avoiding given nodes.

Reuses the placement building blocks: `source_and_hold` (decide on a fresh snapshot,
hold without overselling) and `fulfil` (one fulfillment per node, line buckets kept).
"""
from __future__ import annotations

from collections.abc import Sequence

from oms.enums import DeliveryMethod, FulfillmentStatus, StockReason
from oms.models import Channel, Fulfillment, FulfillmentLine, Node, Order, OrderLine, RoutingRule
from oms.orders.allocate import source_and_hold
from oms.orders.writing import announce_fulfillments, fulfil, record_decision, save_fulfilled
from oms.routing.rules import engine_rule
from oms.routing.snapshot import channel_view, destination
from oms.sourcing import DEFAULT_RULE, Decision, Rule, SourcingRequest
from oms.uow import UnitOfWork


async def order_rule(order: Order) -> Rule:
    """The rule the order was sourced with (the default when it had none or it was deleted)."""
    row = await RoutingRule.get_or_none(id=order.rule_id) if order.rule_id else None
    return engine_rule(row) if row else DEFAULT_RULE


async def rejected_by(order_lines: Sequence[OrderLine]) -> set[str]:
    """Codes of the nodes that rejected a fulfillment holding any of these lines."""
    ids = await FulfillmentLine.filter(
        order_line_id__in=[line.id for line in order_lines],
        fulfillment__status=FulfillmentStatus.REJECTED,
    ).values_list("fulfillment__node_id", flat=True)
    return {str(code) for code in await Node.filter(id__in=set(ids)).values_list("code", flat=True)}


async def _request(order: Order, channel: Channel, wanted: Sequence[tuple[OrderLine, int]],
                   excluded: set[str]) -> SourcingRequest:
    method = DeliveryMethod(order.delivery_method)
    pickup = await Node.get_or_none(id=order.pickup_node_id) if order.pickup_node_id else None
    return SourcingRequest(channel_view(channel), method,
                           destination(method, order.shipping_address), pickup.code if pickup else None,
                           tuple((line.sku, units) for line, units in wanted),
                           excluded_node_codes=frozenset(excluded))


async def resource_lines(uow: UnitOfWork, order: Order, wanted: Sequence[tuple[OrderLine, int]],
                         excluded: set[str]) -> Decision:
    """Source `wanted` (line, units) anew away from `excluded`; holds, fulfillments, backorder.

    The lines' allocated quantity must already exclude the units being re-sourced.
    """
    channel = await Channel.get(id=order.channel_id)
    request = await _request(order, channel, wanted, excluded)
    decision, node_ids = await source_and_hold(uow, channel, request, await order_rule(order),
                                               f"order:{order.id}", StockReason.ORDER)
    pending = {f.node_id: f for f in await Fulfillment.filter(
        order_id=order.id, status=FulfillmentStatus.PENDING)}
    lines = [line for line, _ in wanted]
    made = fulfil(order, lines, [units for _, units in wanted], decision, node_ids, pending)
    await save_fulfilled(made)
    announce_fulfillments(uow, made.created, channel.code, node_ids)
    for line in lines:
        await line.save(update_fields=["allocated_quantity", "backordered_quantity"])
    await record_decision(order, decision)
    return decision
