"""overrideRouting: move unshipped units of an order to a node chosen by hand.

The target must be an active node the channel sees and that can deliver the order
(ship, or hand over for pickup), with the channel-promisable stock for every unit
moved (else NODE_HAS_NO_STOCK). Old holds are released, new ones taken, all stock
changes in (sku, node) order; backordered units of the chosen lines move too.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from oms import inventory
from oms.auth import Principal
from oms.availability import channel_sees
from oms.catalog import get_node
from oms.clock import now
from oms.enums import FulfillmentStatus, OrderEventType, StockReason
from oms.errors import DomainError, ErrorCode
from oms.fulfillment.lookup import lock_order
from oms.fulfillment.transitions import OPEN
from oms.inventory import Hold, Release
from oms.models import Channel, Fulfillment, FulfillmentLine, Node, Order, OrderLine
from oms.orders.cancellation import cancel_emptied
from oms.orders.history import record_event
from oms.routing.snapshot import promisable
from oms.text import reason_problem
from oms.uow import UnitOfWork


@dataclass(frozen=True)
class OverrideSpec:
    order_id: str
    node_code: str
    reason: str
    order_line_ids: list[str] | None = None


@dataclass
class Move:
    """Units of one order line leaving their fulfillment lines (and backorder) for the target."""

    line: OrderLine
    leaving: list[FulfillmentLine]
    backordered: int

    @property
    def units(self) -> int:
        return sum(f.quantity for f in self.leaving) + self.backordered


async def override_routing(uow: UnitOfWork, principal: Principal, spec: OverrideSpec) -> Order:
    """Move the chosen lines' unshipped units to `spec.node_code`, recording why. The order
    row is locked first, like every change to an order."""
    order = await lock_order(principal, spec.order_id, "orderId")
    channel = await Channel.get(id=order.channel_id)
    node = await _target(spec, order, channel)
    moves = await _moves(order, spec, node)
    await _check_stock(channel, node, moves)
    await _move_stock(uow, order, channel, node, moves)
    await _rewrite(order, node, moves, spec.reason)
    await record_event(uow, order, OrderEventType.ROUTING_OVERRIDDEN, spec.reason, {
        "node": node.code, "reason": spec.reason,
        "moved": [{"sku": m.line.sku, "quantity": m.units, "line": str(m.line.id)}
                  for m in moves],
    }, channel_code=channel.code)
    return order


async def _target(spec: OverrideSpec, order: Order, channel: Channel) -> Node:
    if problem := reason_problem(spec.reason):
        raise DomainError.of(ErrorCode.INVALID_INPUT, problem, "reason")
    node = await get_node(spec.node_code)
    if node is None:
        raise DomainError.of(ErrorCode.UNKNOWN_NODE, f"unknown node {spec.node_code!r}",
                             "nodeCode")
    if not channel_sees(channel, node, order.delivery_method):
        raise DomainError.of(ErrorCode.INVALID_INPUT,
                             f"node {node.code} cannot deliver {order.delivery_method} "
                             f"orders of channel {channel.code}", "nodeCode")
    return node


async def _moves(order: Order, spec: OverrideSpec, node: Node) -> list[Move]:
    lines = await OrderLine.filter(order_id=order.id).order_by("position")
    chosen = _chosen(lines, spec.order_line_ids)
    open_here = await Fulfillment.filter(order_id=order.id, status__in=list(OPEN)) \
        .exclude(node_id=node.id).values_list("id", flat=True)
    leaving: dict[str, list[FulfillmentLine]] = defaultdict(list)
    for row in await FulfillmentLine.filter(fulfillment_id__in=list(open_here),
                                            order_line_id__in=[line.id for line in chosen]):
        leaving[str(row.order_line_id)].append(row)
    moves = [Move(line, leaving[str(line.id)], line.backordered_quantity) for line in chosen]
    moves = [m for m in moves if m.units]
    if not moves:
        raise DomainError.of(ErrorCode.INVALID_INPUT,
                             f"nothing left to move to {node.code}", "orderLineIds")
    return moves


def _chosen(lines: list[OrderLine], wanted: list[str] | None) -> list[OrderLine]:
    if wanted is None:
        return lines
    by_id = {str(line.id): line for line in lines}
    for i, line_id in enumerate(wanted):
        if str(line_id) not in by_id:
            raise DomainError.of(ErrorCode.NOT_FOUND, f"no line {line_id} in this order",
                                 "orderLineIds", i)
    return [by_id[str(i)] for i in dict.fromkeys(wanted)]


async def _check_stock(channel: Channel, node: Node, moves: list[Move]) -> None:
    needed: dict[str, int] = defaultdict(int)
    for move in moves:
        needed[move.line.sku] += move.units
    there = (await promisable(channel, needed)).get(node.id, {})
    for sku, units in needed.items():
        if there.get(sku, 0) < units:
            raise DomainError.of(ErrorCode.NODE_HAS_NO_STOCK,
                                 f"{node.code} can promise {there.get(sku, 0)} x {sku} to "
                                 f"channel {channel.code}, {units} needed", "nodeCode")


async def _move_stock(uow: UnitOfWork, order: Order, channel: Channel, node: Node,
                      moves: list[Move]) -> None:
    """Release old holds and take new ones (within the channel's share), every change in
    (sku, node) order."""
    changes: dict[tuple[str, int], int] = defaultdict(int)
    fulfillment_nodes = dict(await Fulfillment.filter(order_id=order.id)
                             .values_list("id", "node_id"))
    nodes = {str(k): v for k, v in fulfillment_nodes.items()}
    for move in moves:
        changes[(move.line.sku, node.id)] += move.units
        for row in move.leaving:
            changes[(row.sku, nodes[str(row.fulfillment_id)])] -= row.quantity
    reference = f"order:{order.id}"
    holds = [Hold(sku, node_id, delta) for (sku, node_id), delta in changes.items() if delta > 0]
    releases = [Release(sku, node_id, -delta, StockReason.OVERRIDE, reference)
                for (sku, node_id), delta in changes.items() if delta < 0]
    missed = await inventory.take_holds(uow, holds, StockReason.OVERRIDE, reference, channel, releases,
                                        all_or_nothing=False)
    if missed:
        short = min(missed)
        raise DomainError.of(ErrorCode.NODE_HAS_NO_STOCK,
                             f"{node.code} no longer has {short.quantity} x {short.sku}", "nodeCode")


async def _rewrite(order: Order, node: Node, moves: list[Move], reason: str) -> None:
    """Fulfillment lines follow the units; emptied fulfillments are cancelled."""
    target = await Fulfillment.filter(order_id=order.id, node_id=node.id,
                                      status=FulfillmentStatus.PENDING).first()
    if target is None:
        target = await Fulfillment.create(id=uuid.uuid4(), order_id=order.id, node_id=node.id,
                                          created_at=now())
    left = [row.id for move in moves for row in move.leaving]
    touched = {str(row.fulfillment_id) for move in moves for row in move.leaving}
    await FulfillmentLine.filter(id__in=left).delete()
    await FulfillmentLine.bulk_create([
        FulfillmentLine(fulfillment_id=target.id, order_line_id=m.line.id, sku=m.line.sku,
                        quantity=m.units) for m in moves
    ])
    for move in moves:
        move.line.allocated_quantity += move.backordered
        move.line.backordered_quantity = 0
        await move.line.save(update_fields=["allocated_quantity", "backordered_quantity"])
    await cancel_emptied(order, touched, f"routing overridden: {reason}")


