"""Returns (RMA): request what was delivered, receive it at a node with a disposition per
line, refund unit price x received quantity once."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from oms import inventory, payments
from oms.auth import Principal
from oms.catalog import get_channel
from oms.documents.issue import credit_note
from oms.enums import OrderEventType, ReturnDisposition, ReturnStatus, StockBucket
from oms.errors import DomainError, ErrorCode, Problems
from oms.fulfillment.lookup import (
    allowed_node,
    channel_code,
    lock_order,
    may_see_order,
    parse_uuid,
)
from oms.inventory import Arrival
from oms.locks import lock_order_row
from oms.models import Channel, Order, OrderLine, Return, ReturnLine
from oms.orders.history import record_event
from oms.returns import policy
from oms.returns.transitions import RETURN, transition
from oms.scopes import Scope
from oms.sequences import next_number
from oms.text import reason_problem
from oms.uow import UnitOfWork

RMA_PREFIX = "RMA"
BUCKET = {
    ReturnDisposition.RESTOCK: StockBucket.ON_HAND,
    ReturnDisposition.SCRAP: StockBucket.SCRAPPED,
    ReturnDisposition.RETURN_TO_VENDOR: StockBucket.RETURN_TO_VENDOR,
}
"Where received units go: sellable on-hand, or a held bucket that is never promised."


@dataclass(frozen=True)
class ReturnLineSpec:
    order_line_id: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class ReturnRequest:
    order_id: str
    lines: Sequence[ReturnLineSpec]
    channel_code: str | None = None


@dataclass(frozen=True)
class ReceivedLineSpec:
    order_line_id: str
    quantity: int
    disposition: ReturnDisposition


@dataclass(frozen=True)
class Receipt:
    return_id: str
    node_code: str
    lines: Sequence[ReceivedLineSpec]


async def returnable(order: Order, lines: Sequence[OrderLine]) -> dict[str, int]:
    """Per order line id: delivered units not yet returned nor asked back by an open return."""
    statuses = dict(await Return.filter(order_id=order.id).values_list("id", "status"))
    rows = await ReturnLine.filter(return__id__in=list(statuses)).values_list(
        "order_line_id", "quantity", "received_quantity", "return__id")
    claimed: dict[str, int] = defaultdict(int)
    for line_id, quantity, received, return_id in rows:
        status = statuses[return_id]
        if status == ReturnStatus.REQUESTED:
            claimed[str(line_id)] += quantity
        elif status in (ReturnStatus.RECEIVED, ReturnStatus.REFUNDED):
            claimed[str(line_id)] += received
    return {str(line.id): line.delivered_quantity - claimed[str(line.id)] for line in lines}


async def request_return(uow: UnitOfWork, principal: Principal, spec: ReturnRequest) -> Return:
    """Open a return for delivered units (from any channel, e.g. a store). RMA-000001...

    A caller without returns:write (a customer token) may only return its own orders.
    """
    channel = await _return_channel(spec.channel_code)
    order = await lock_order(principal, spec.order_id, "orderId",
                             also_via_channel=spec.channel_code,
                             own_only=not principal.has(Scope.RETURNS_WRITE))
    await policy.check_window(order)
    lines = {str(line.id): line for line in await OrderLine.filter(order_id=order.id)}
    _check_request(spec, lines, await returnable(order, list(lines.values())))
    rma = await Return.create(number=await next_number(uow, RMA_PREFIX), order_id=order.id,
                              channel_id=channel.id if channel else None)
    await ReturnLine.bulk_create([
        ReturnLine(return_=rma, order_line_id=lines[_key(line.order_line_id)].id, quantity=line.quantity,
                   sku=lines[_key(line.order_line_id)].sku, reason=line.reason.strip())
        for line in spec.lines
    ])
    await record_event(uow, order, OrderEventType.RETURN_REQUESTED, f"return {rma.number} requested", {
        "return_id": str(rma.id), "number": rma.number,
        "channel": channel.code if channel else None,
        "lines": [{"sku": lines[_key(line.order_line_id)].sku, "quantity": line.quantity,
                   "reason": line.reason} for line in spec.lines],
    })
    return rma


async def _return_channel(code: str | None) -> Channel | None:
    if code is None:
        return None
    channel = await get_channel(code)
    if channel is None:
        raise DomainError.of(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {code!r}", "channel")
    return channel


def _key(order_line_id: str) -> str:
    parsed = parse_uuid(order_line_id)
    return str(parsed) if parsed else order_line_id


def _check_request(spec: ReturnRequest, lines: dict[str, OrderLine], left: dict[str, int]) -> None:
    problems = Problems()
    if not spec.lines:
        problems.add(ErrorCode.INVALID_INPUT, "a return needs at least one line", "lines")
    seen: set[str] = set()
    for i, line in enumerate(spec.lines):
        key = _key(line.order_line_id)
        if key not in lines:
            problems.add(ErrorCode.NOT_FOUND, f"no line {line.order_line_id} in this order",
                         "lines", i, "orderLineId")
            continue
        if key in seen:
            problems.add(ErrorCode.DUPLICATE_RECORD, "each order line at most once per return",
                         "lines", i, "orderLineId")
        seen.add(key)
        if problem := reason_problem(line.reason):
            problems.add(ErrorCode.INVALID_INPUT, problem, "lines", i, "reason")
        if line.quantity <= 0:
            problems.add(ErrorCode.INVALID_QUANTITY, "quantity must be positive",
                         "lines", i, "quantity")
        elif line.quantity > left[key]:
            problems.add(ErrorCode.OVER_RETURN,
                         f"{lines[key].sku}: only {max(0, left[key])} delivered unit(s) can still "
                         f"be returned, asked {line.quantity}", "lines", i, "quantity")
    problems.raise_if_any()


async def find_return(principal: Principal, return_id: str, *field: str,
                      lock: bool = True) -> tuple[Return, Order]:
    """The return and its order (locked unless `lock` is False), if the caller may see the
    order or the channel the return came in by; else NOT_FOUND."""
    key = parse_uuid(return_id)
    order_id = await Return.filter(id=key).first().values_list("order_id", flat=True) \
        if key else None
    order = None
    if order_id:
        order = await lock_order_row(order_id) if lock else await Order.get_or_none(id=order_id)
    found = await Return.get_or_none(id=key) if order else None
    if order is not None and found is not None and await _may_see(principal, found, order):
        return found, order
    raise DomainError.of(ErrorCode.NOT_FOUND, f"no return {return_id}", *field)


async def _may_see(principal: Principal, rma: Return, order: Order) -> bool:
    if may_see_order(principal, order, await channel_code(order)):
        return True
    if rma.channel_id is None or principal.own_orders_only:
        return False
    via = await Channel.filter(id=rma.channel_id).first().values_list("code", flat=True)
    return via is not None and principal.sees_channel(str(via))


async def receive_return(uow: UnitOfWork, principal: Principal, receipt: Receipt) -> Return:
    """Record what arrived at a node and where each unit goes (sellable or held)."""
    rma, order = await find_return(principal, receipt.return_id, "returnId")
    node = await allowed_node(principal, receipt.node_code, "nodeCode")
    if not node.active:
        raise DomainError.of(ErrorCode.NODE_INACTIVE, f"node {node.code} is inactive: it receives "
                             "nothing", "nodeCode")
    previous = transition(rma, ReturnStatus.RECEIVED)
    by_line = {str(rl.order_line_id): rl for rl in await ReturnLine.filter(return__id=rma.id)}
    _check_receipt(receipt, by_line)
    order_lines = {str(ol.id): ol for ol in await OrderLine.filter(order_id=rma.order_id)}
    for spec in receipt.lines:
        line = by_line[_key(spec.order_line_id)]
        line.received_quantity, line.disposition = spec.quantity, spec.disposition
        await line.save(update_fields=["received_quantity", "disposition"])
        order_line = order_lines[str(line.order_line_id)]
        order_line.returned_quantity += spec.quantity
        await order_line.save(update_fields=["returned_quantity"])
    await inventory.receive_returned(uow, [
        Arrival(by_line[_key(s.order_line_id)].sku, node.id, s.quantity, BUCKET[s.disposition])
        for s in receipt.lines], reference=rma.number)
    rma.received_node_id = node.id
    await RETURN.persist(rma, previous, "received_node_id")
    await record_event(uow, order, OrderEventType.RETURN_RECEIVED,
                       f"return {rma.number} received at {node.code}",
                       {"return_id": str(rma.id), "number": rma.number, "node": node.code,
                        "lines": [{"sku": by_line[_key(s.order_line_id)].sku,
                                   "quantity": s.quantity, "disposition": str(s.disposition)}
                                  for s in receipt.lines]},
                       lines=list(order_lines.values()))
    return rma


def _check_receipt(receipt: Receipt, by_line: dict[str, ReturnLine]) -> None:
    problems = Problems()
    if not receipt.lines:
        problems.add(ErrorCode.INVALID_INPUT, "say what was received", "lines")
    seen: set[str] = set()
    for i, spec in enumerate(receipt.lines):
        key = _key(spec.order_line_id)
        line = by_line.get(key)
        if line is None:
            problems.add(ErrorCode.NOT_FOUND, f"line {spec.order_line_id} is not in this return",
                         "lines", i, "orderLineId")
            continue
        if key in seen:
            problems.add(ErrorCode.DUPLICATE_RECORD, "each order line at most once",
                         "lines", i, "orderLineId")
        seen.add(key)
        if spec.quantity <= 0:
            problems.add(ErrorCode.INVALID_QUANTITY, "quantity must be positive",
                         "lines", i, "quantity")
        elif spec.quantity > line.quantity:
            problems.add(ErrorCode.OVER_RECEIVE,
                         f"{line.sku}: {line.quantity} requested, {spec.quantity} received",
                         "lines", i, "quantity")
    problems.raise_if_any()


async def refund_return(uow: UnitOfWork, principal: Principal, return_id: str) -> Return:
    """Refund unit price x received quantity of a received return, once."""
    rma, order = await find_return(principal, return_id, "returnId")
    previous = transition(rma, ReturnStatus.REFUNDED)
    prices = dict(await OrderLine.filter(order_id=order.id).values_list("id", "unit_price"))
    amount = payments.money(sum(
        (Decimal(prices[line.order_line_id]) * line.received_quantity
         for line in await ReturnLine.filter(return__id=rma.id)), Decimal(0)))
    refunded = await payments.refund(uow, order, amount)
    rma.refund_amount = amount
    await RETURN.persist(rma, previous, "refund_amount")
    await record_event(uow, order, OrderEventType.REFUNDED,
                       f"return {rma.number}: refunded {amount} {order.currency}",
                       {"return_id": str(rma.id), "number": rma.number, "amount": str(amount),
                        "paid_back": str(refunded), "currency": order.currency})
    if amount > 0:
        await credit_note(uow, order, rma)
    return rma
