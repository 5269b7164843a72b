"""Everything checked about an order before anything is written: every problem at once."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from tortoise.expressions import RawSQL

from oms import credit
from oms.auth import Principal
from oms.availability import channel_sees
from oms.catalog import get_channel, get_node
from oms.enums import DeliveryMethod
from oms.errors import ErrorCode, Problems
from oms.models import Channel, Company, Node, Order, Sku
from oms.orders.inputs import LineSpec, OrderSpec
from oms.shipping.pricing import ItemInfo, ShippingTable
from oms.shipping.skus import item_info
from oms.shipping.tables import load_table
from oms.text import check_length, fitting

MAX_AMOUNT = Decimal("999999999999.99")
"The largest amount an order keeps (its totals and prices are numeric(14, 2))."
RATED = RawSQL('EXISTS (SELECT 1 FROM "shipping_rate")')


@dataclass(frozen=True)
class Items:
    """The known SKUs' shipping attributes, and whether shipping rates are set at all."""

    known: dict[str, ItemInfo]
    rated: bool


@dataclass(frozen=True)
class CheckedOrder:
    spec: OrderSpec
    channel: Channel
    pickup_node: Node | None
    company: Company | None = None
    shipping: ShippingTable | None = None
    "The rates in the channel's currency, for a ship-to-address order (None: none are set,"
    " and shipping is not charged)."


async def check_order(spec: OrderSpec, principal: Principal | None) -> CheckedOrder:
    """The order's channel and pickup node, or a DomainError listing every problem."""
    problems = Problems()
    channel = await get_channel(spec.channel)
    check_channel(problems, spec.channel, channel, principal)
    if "@" not in spec.customer_email.strip():
        problems.add(ErrorCode.INVALID_INPUT, "customerEmail is not an e-mail address",
                     "customerEmail")
    _check_lengths(problems, spec)
    priced, items = await _check_lines(problems, spec.lines, channel)
    ships = spec.delivery_method is DeliveryMethod.SHIP_TO_ADDRESS and items.rated
    shipping = await load_table(channel.currency, items.known) \
        if channel is not None and ships else None
    _check_payment(problems, spec, channel, priced and shipping is None)
    pickup = await _check_delivery(problems, spec, channel)
    company = await credit.check_company(problems, spec, channel, principal) \
        if spec.company_code or spec.purchase_order_number or (principal and principal.company_code) \
        else None
    problems.raise_if_any()
    assert channel is not None
    return CheckedOrder(spec, channel, pickup, company=company, shipping=shipping)


def check_channel(problems: Problems, code: str, channel: Channel | None,
                  principal: Principal | None) -> None:
    """The sales channel exists, is active, and the caller may act on it. A channel outside
    the token's limits is reported as unknown, as everywhere: nothing to probe."""
    if channel is None or (principal is not None and not principal.sees_channel(code)):
        problems.add(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {code!r}", "channel")
    elif not channel.active:
        problems.add(ErrorCode.CHANNEL_INACTIVE, f"channel {code} is inactive", "channel")


async def check_lines(problems: Problems,
                      skus_and_quantities: list[tuple[str, int]]) -> Items:
    """Quantities > 0 and SKUs known (shared with cart holds); the known SKUs' weights and
    shipping classes, and whether any shipping rate is set, read in the same statement (so
    a retailer without rates pays nothing for shipping on the hot path)."""
    wanted = fitting((sku for sku, _ in skus_and_quantities), Sku, "code")
    rows = cast(list[tuple[str, float | None, str | None, Any]], await Sku.filter(
        code__in=wanted).annotate(rated=RATED).values_list(
        "code", "weight_kg", "shipping_class", "rated"))
    known = {code: item_info(weight, shipping_class) for code, weight, shipping_class, _ in rows}
    if not skus_and_quantities:
        problems.add(ErrorCode.INVALID_INPUT, "give at least one line", "lines")
    for i, (sku, quantity) in enumerate(skus_and_quantities):
        if sku not in known:
            problems.add(ErrorCode.UNKNOWN_SKU, f"unknown SKU {sku!r}", "lines", i, "sku")
        if quantity <= 0:
            problems.add(ErrorCode.INVALID_QUANTITY, f"quantity must be > 0, got {quantity}",
                         "lines", i, "quantity")
    return Items(known, any(bool(row[3]) for row in rows))


async def _check_lines(problems: Problems, lines: list[LineSpec],
                       channel: Channel | None) -> tuple[bool, Items]:
    """Whether every price is one an order keeps (only then is the total computed: a price
    like 9E+999999 overflows any arithmetic), and the known SKUs' shipping attributes."""
    items = await check_lines(problems, [(line.sku, line.quantity) for line in lines])
    priced = True
    for i, line in enumerate(lines):
        if not 0 <= line.unit_price.amount <= MAX_AMOUNT:
            priced = False
            problems.add(ErrorCode.INVALID_INPUT, f"unitPrice must be 0..{MAX_AMOUNT}",
                         "lines", i, "unitPrice", "amount")
        if channel is not None and line.unit_price.currency != channel.currency:
            problems.add(ErrorCode.CURRENCY_MISMATCH,
                         f"channel {channel.code} sells in {channel.currency}, "
                         f"not {line.unit_price.currency}", "lines", i, "unitPrice", "currency")
    if priced and sum(line.unit_price.amount * max(line.quantity, 0) for line in lines) > MAX_AMOUNT:
        problems.add(ErrorCode.INVALID_INPUT, f"the lines' total must be at most {MAX_AMOUNT}",
                     "lines")
        priced = False
    return priced, items


def _check_lengths(problems: Problems, spec: OrderSpec) -> None:
    check_length(problems, spec.customer_email.strip(), Order, "customer_email", "customerEmail")
    check_length(problems, spec.customer_ref, Order, "customer_ref", "customerRef")
    check_length(problems, spec.idempotency_key, Order, "idempotency_key", "idempotencyKey")
    check_length(problems, spec.purchase_order_number, Order, "purchase_order_number",
                 "purchaseOrderNumber")
    if spec.payment is not None:
        check_length(problems, spec.payment.reference, Order, "payment_reference",
                     "payment", "reference")


def _check_payment(problems: Problems, spec: OrderSpec, channel: Channel | None,
                   priced: bool) -> None:
    """`priced`: the total is known now (with shipping charged it is checked once sourced,
    `oms.shipping.charges`)."""
    payment = spec.payment
    if payment is None:
        return
    if channel is not None and payment.amount.currency != channel.currency:
        problems.add(ErrorCode.CURRENCY_MISMATCH,
                     f"payment in {payment.amount.currency}, channel sells in {channel.currency}",
                     "payment", "amount", "currency")
    if priced and payment.amount.amount != spec.total:
        problems.add(ErrorCode.TOTAL_MISMATCH,
                     f"payment {payment.amount.amount} differs from the lines' total {spec.total}",
                     "payment", "amount", "amount")
    if not payment.reference.strip():
        problems.add(ErrorCode.INVALID_INPUT, "payment reference must not be empty",
                     "payment", "reference")


async def _check_delivery(problems: Problems, spec: OrderSpec,
                          channel: Channel | None) -> Node | None:
    if spec.delivery_method is DeliveryMethod.SHIP_TO_ADDRESS:
        if not spec.shipping_address:
            problems.add(ErrorCode.ADDRESS_REQUIRED, "SHIP_TO_ADDRESS needs a shippingAddress",
                         "shippingAddress")
        return None
    code = spec.pickup_node_code
    node = await get_node(code) if code else None
    if node is None:
        problems.add(ErrorCode.PICKUP_NODE_INVALID,
                     "PICKUP_IN_STORE needs the code of a known pickup node", "pickupNodeCode")
    elif channel is not None and not channel_sees(channel, node, DeliveryMethod.PICKUP_IN_STORE):
        problems.add(ErrorCode.PICKUP_NODE_INVALID,
                     f"node {code} is not an active pickup point visible to channel {channel.code}",
                     "pickupNodeCode")
    return node
