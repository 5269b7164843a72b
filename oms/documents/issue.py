"""Issuing documents inside the unit of work of the change that calls for them.

The number is taken from the series' counter row (kind, channel, year) as one of the last
statements before commit (`UnitOfWork.last`): the row stays locked until the commit, so
concurrent issuers queue on it, and a rolled-back change takes its number back with it.
Numbers are therefore gap-free and never reused within a series.
"""
from __future__ import annotations

from hashlib import sha256
from typing import Any

from oms.clock import now
from oms.documents import content
from oms.documents.content import Content
from oms.enums import DeliveryMethod, DocumentKind, OrderStatus
from oms.models import (
    Channel,
    Document,
    Fulfillment,
    FulfillmentLine,
    Node,
    Order,
    OrderLine,
    Return,
    ReturnLine,
)
from oms.sequences import next_value
from oms.uow import UnitOfWork

PREFIX = {DocumentKind.PACKING_SLIP: "PS", DocumentKind.DELIVERY_NOTE: "DN",
          DocumentKind.INVOICE: "INV", DocumentKind.CREDIT_NOTE: "CN"}
TITLE = {DocumentKind.PACKING_SLIP: "Packing slip",
         DocumentKind.DELIVERY_NOTE: "Delivery note (documento di trasporto / albarán)",
         DocumentKind.INVOICE: "Invoice", DocumentKind.CREDIT_NOTE: "Credit note"}
COUNTER_NAME_MAX = 64
"The length of `sequence_counter.name`."
FULLY_SHIPPED = frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED})


def issue(uow: UnitOfWork, kind: DocumentKind, order: Order, body: Content,
          fulfillment_id: Any = None, return_id: Any = None) -> None:
    """Issue a document of `kind` for `order` with the commit of `uow` (numbered then)."""
    async def create() -> None:
        moment = now()
        code = (await Channel.filter(id=order.channel_id).values_list("code", flat=True))[0]
        series = f"{PREFIX[kind]}-{str(code).upper()}-{moment.year}"
        number = f"{series}-{await next_value(uow, counter_name(series)):06d}"
        printed = {"kind": str(kind), "title": TITLE[kind], "number": number,
                   "date": moment.date().isoformat(), "order": order.number, **body}
        await Document.create(kind=kind, number=number, order_id=order.id,
                              fulfillment_id=fulfillment_id, return_id=return_id,
                              content=printed, created_at=moment)
    uow.last(create)


def counter_name(series: str) -> str:
    """The counter row of a series: keyed by the printed prefix, so channels whose codes differ
    only in case share it rather than print the same number twice; hashed when too long."""
    name = f"doc:{series}"
    if len(name) <= COUNTER_NAME_MAX:
        return name
    return f"doc:{sha256(series.encode()).hexdigest()[:COUNTER_NAME_MAX - 4]}"


async def parcel_documents(uow: UnitOfWork, kind: DocumentKind, fulfillment: Fulfillment,
                           order: Order, node: Node, lines: list[FulfillmentLine]) -> None:
    """A packing slip (when packed) or delivery note (when shipped) for one parcel: sender,
    recipient, goods and quantities, one parcel, its weight when known, carrier, date."""
    quantities = [(line.sku, line.quantity) for line in lines]
    body = {"sender": content.party(node.name, node.address), "recipient": await content.recipient(order),
            "goods": content.goods(quantities), "parcels": 1,
            "weight_kg": await content.parcel_weight(quantities),
            "carrier": fulfillment.carrier, "tracking_number": fulfillment.tracking_number}
    issue(uow, kind, order, body, fulfillment_id=fulfillment.id)


async def invoice_if_complete(uow: UnitOfWork, order: Order) -> None:
    """The invoice, once the order is fully shipped (or collected): every shipped unit at its
    VAT-inclusive price. Issued once per order."""
    if order.status not in FULLY_SHIPPED:
        return
    if await Document.exists(order_id=order.id, kind=DocumentKind.INVOICE):
        return
    shipped = [(line.id, line.sku, line.shipped_quantity)
               for line in await OrderLine.filter(order_id=order.id).order_by("position")]
    await _money_document(uow, DocumentKind.INVOICE, order, shipped)


async def credit_note(uow: UnitOfWork, order: Order, rma: Return) -> None:
    """The credit note of a refunded return: the received units at their prices, and the
    invoice it corrects (when one was issued)."""
    received = [(line.order_line_id, line.sku, line.received_quantity)
                for line in await ReturnLine.filter(return__id=rma.id).order_by("id")]
    invoices = await Document.filter(order_id=order.id, kind=DocumentKind.INVOICE) \
        .values_list("number", flat=True)
    await _money_document(uow, DocumentKind.CREDIT_NOTE, order, received, return_id=rma.id,
                          corrects=str(invoices[0]) if invoices else None, rma=rma.number)


async def _money_document(uow: UnitOfWork, kind: DocumentKind, order: Order,
                          quantities: list[tuple[Any, str, int]], return_id: Any = None,
                          **extra: str | None) -> None:
    body = {"sender": await content.seller(order), "recipient": await content.recipient(order),
            "buyer_vat_number": await content.buyer_vat_number(order),
            "delivery": "pickup" if order.delivery_method is DeliveryMethod.PICKUP_IN_STORE
            else "shipping", **await content.priced(order, quantities), **extra}
    issue(uow, kind, order, body, return_id=return_id)
