"""What a database left by a crash or an outage must satisfy, order by order.

An order either does not exist or has everything its one transaction wrote: lines whose
quantities add up, fulfillments that cover what is allocated and shipped, the stock it
holds and shipped in the ledger under its reference, every event of its history with its
outbox row, a status its lines explain, and a capture for what shipped.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from oms.enums import FulfillmentStatus as FS
from oms.enums import OrderEventType, PaymentTransactionKind, StockBucket
from oms.events.topics import ORDER_EVENT
from oms.fulfillment.transitions import OPEN
from oms.models import (
    Fulfillment,
    Order,
    OrderEvent,
    OrderLine,
    OutboxEvent,
    PaymentTransaction,
    StockLedgerEntry,
)
from oms.orders.status import derive_status

GONE = frozenset({FS.REJECTED, FS.CANCELLED})
LEFT = frozenset({FS.SHIPPED, FS.DELIVERED, FS.PICKED_UP})
STEPS = ((FS.ACCEPTED, OrderEventType.FULFILLMENT_ACCEPTED),
         (FS.PICKED, OrderEventType.FULFILLMENT_PICKED),
         (FS.PACKED, OrderEventType.FULFILLMENT_PACKED),
         (FS.SHIPPED, OrderEventType.FULFILLMENT_SHIPPED))
"A shipped-to-address fulfillment's way, each step with the event it leaves."
WAY = (FS.PENDING, *(status for status, _ in STEPS))


class Snapshot:
    """Every order's rows, read once, grouped by order."""

    async def load(self) -> Snapshot:
        self.orders = await Order.all()
        self.lines = _by(await OrderLine.all(), "order_id")
        self.fulfillments = _by(await Fulfillment.all().prefetch_related("lines"), "order_id")
        self.events = _by(await OrderEvent.all().order_by("id"), "order_id")
        self.payments = _by(await PaymentTransaction.all(), "order_id")
        payloads = await OutboxEvent.filter(topic=ORDER_EVENT).values_list("payload", flat=True)
        self.outbox = Counter(int(p["event_id"]) for p in payloads)
        self.ledger: dict[tuple[str, str, int, str], int] = defaultdict(int)
        for ref, sku, node_id, bucket, delta in await StockLedgerEntry.filter(
                reference__startswith="order:").values_list("reference", "sku", "node_id",
                                                            "bucket", "delta"):
            self.ledger[(str(ref).removeprefix("order:"), sku, node_id, str(bucket))] += delta
        return self


async def order_problems() -> list[str]:
    """Everything wrong with any order in the database (empty: every order is whole)."""
    snap = await Snapshot().load()
    problems: list[str] = []
    for order in snap.orders:
        key = str(order.id)
        problems += [f"{order.number}: {p}" for p in _problems(snap, order, key)]
    return problems


def _problems(snap: Snapshot, order: Order, key: str) -> list[str]:
    lines, events = snap.lines.get(key, []), snap.events.get(key, [])
    fulfillments = snap.fulfillments.get(key, [])
    if not lines:
        return ["no lines"]
    found = _quantities(lines, fulfillments) + _holds(snap, key, fulfillments)
    found += _history(order, lines, fulfillments, events)
    found += [f"event {e.id} has {snap.outbox[e.id]} outbox rows" for e in events
              if snap.outbox[e.id] != 1]
    return found + _captures(lines, fulfillments, events, snap.payments.get(key, []))


def _quantities(lines: list[OrderLine], fulfillments: list[Fulfillment]) -> list[str]:
    allocated: Counter[str] = Counter()
    shipped: Counter[str] = Counter()
    for fulfillment in fulfillments:
        for fl in fulfillment.lines:
            if fulfillment.status not in GONE:
                allocated[str(fl.order_line_id)] += fl.quantity
            if fulfillment.status in LEFT:
                shipped[str(fl.order_line_id)] += fl.quantity
    wrong = []
    for line in lines:
        figures = (line.quantity, line.allocated_quantity, line.backordered_quantity,
                   line.cancelled_quantity, line.shipped_quantity)
        if line.quantity != line.allocated_quantity + line.backordered_quantity + \
                line.cancelled_quantity or not 0 <= line.shipped_quantity <= line.allocated_quantity:
            wrong.append(f"line {line.sku} quantities do not add up {figures}")
        if (allocated[str(line.id)], shipped[str(line.id)]) != (line.allocated_quantity,
                                                                line.shipped_quantity):
            wrong.append(f"line {line.sku}: fulfillments cover {allocated[str(line.id)]} "
                         f"allocated, {shipped[str(line.id)]} shipped; the line says {figures}")
    return wrong


def _holds(snap: Snapshot, key: str, fulfillments: list[Fulfillment]) -> list[str]:
    """The ledger under the order's reference: what its open fulfillments hold, what left."""
    expected: dict[tuple[str, str, int, str], int] = defaultdict(int)
    for fulfillment in fulfillments:
        for fl in fulfillment.lines:
            if fulfillment.status in OPEN:
                expected[(key, fl.sku, fulfillment.node_id, StockBucket.RESERVED.value)] += fl.quantity
            elif fulfillment.status in LEFT:
                expected[(key, fl.sku, fulfillment.node_id, StockBucket.ON_HAND.value)] -= fl.quantity
    mine = {k: v for k, v in snap.ledger.items() if k[0] == key and v}
    wanted = {k: v for k, v in expected.items() if v}
    return [] if mine == wanted else [f"ledger {mine} where the fulfillments say {wanted}"]


def _history(order: Order, lines: list[OrderLine], fulfillments: list[Fulfillment],
             events: list[OrderEvent]) -> list[str]:
    wrong = []
    if not events or events[0].type != OrderEventType.ORDER_CREATED:
        wrong.append(f"history starts with {[e.type for e in events[:1]]}")
    if order.status != derive_status(lines, fulfillments) or (
            events and events[-1].status != order.status):
        wrong.append(f"status {order.status}: lines say {derive_status(lines, fulfillments)}, "
                     f"the last event {events[-1].status if events else None}")
    steps = Counter((str((e.data or {}).get("fulfillment_id")), str(e.type)) for e in events)
    for fulfillment in fulfillments:
        if fulfillment.status not in WAY:
            continue
        reached = WAY[:WAY.index(fulfillment.status) + 1]
        for status, event in STEPS:
            times = steps[(str(fulfillment.id), str(event))]
            if times != (status in reached):
                wrong.append(f"fulfillment {fulfillment.status} has {times} {event} events")
    return wrong


def _captures(lines: list[OrderLine], fulfillments: list[Fulfillment], events: list[OrderEvent],
              payments: list[PaymentTransaction]) -> list[str]:
    price = {str(line.id): line.unit_price for line in lines}
    worth = sum((Decimal(price[str(fl.order_line_id)]) * fl.quantity for f in fulfillments
                 if f.status in LEFT for fl in f.lines), Decimal(0))
    authorized = sum((p.amount for p in payments if p.kind == PaymentTransactionKind.AUTHORIZE),
                     Decimal(0))
    captures = [p.amount for p in payments if p.kind == PaymentTransactionKind.CAPTURE]
    told = sum(1 for e in events if e.type == OrderEventType.PAYMENT_CAPTURED)
    if sum(captures, Decimal(0)) != min(worth, authorized) or told != len(captures):
        return [f"captured {captures} ({told} events) of {authorized} for {worth} shipped"]
    return []


def _by(rows: list[Any], key: str) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[str(getattr(row, key))].append(row)
    return grouped
