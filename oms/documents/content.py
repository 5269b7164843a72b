"""What each document says, as plain JSON-able values built from the rows when it is issued
(the PDF is rendered from these later, so it never changes)."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from oms.documents import vat
from oms.enums import DeliveryMethod
from oms.models import Channel, Company, Node, Order, OrderLine, Sku

Content = dict[str, Any]


def address_lines(address: dict[str, Any] | None) -> list[str]:
    """An address as printed: name, street lines, postcode and city, region, country."""
    if not address:
        return []
    town = " ".join(str(p) for p in (address.get("postal_code"), address.get("city")) if p)
    parts = (address.get("name"), address.get("line1"), address.get("line2"), town,
             address.get("region"), address.get("country"))
    return [str(p) for p in parts if p]


def party(name: str, address: dict[str, Any] | None, *extra: str | None) -> list[str]:
    return [name, *address_lines(address), *(e for e in extra if e)]


async def recipient(order: Order) -> list[str]:
    """The customer, and where the goods go (their address, or the store they collect at)."""
    if order.delivery_method is DeliveryMethod.PICKUP_IN_STORE and order.pickup_node_id:
        node = await Node.get(id=order.pickup_node_id)
        return [order.customer_email, f"Pickup at {node.name}", *address_lines(node.address)]
    return [*address_lines(order.shipping_address), order.customer_email]


async def destination_country(order: Order) -> str | None:
    if order.shipping_address:
        return str(order.shipping_address.get("country") or "") or None
    if order.pickup_node_id:
        node = await Node.get(id=order.pickup_node_id)
        return str((node.address or {}).get("country") or "") or None
    return None


async def buyer_vat_number(order: Order) -> str | None:
    """The VAT number of the company a B2B order is for (None for a consumer's order)."""
    if order.company_id is None:
        return None
    numbers = await Company.filter(id=order.company_id).values_list("vat_number", flat=True)
    return str(numbers[0]) if numbers and numbers[0] else None


async def parcel_weight(quantities: Iterable[tuple[str, int]]) -> float | None:
    """Kilograms of the goods when every SKU's weight is known, else None. Hook: the SKU
    table has no weights yet; once it has a `weight_kg` column, this sums it."""
    wanted = list(quantities)
    if "weight_kg" not in Sku._meta.fields_map or not wanted:
        return None
    weights = dict(await Sku.filter(code__in=[s for s, _ in wanted]).values_list("code", "weight_kg"))
    if any(weights.get(sku) is None for sku, _ in wanted):
        return None
    return round(sum(float(weights[sku]) * qty for sku, qty in wanted), 3)


def goods(quantities: Iterable[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"sku": sku, "quantity": qty} for sku, qty in quantities if qty > 0]


async def priced(order: Order, quantities: Iterable[tuple[Any, str, int]]) -> Content:
    """Lines with their VAT-inclusive amounts, the total and its VAT line (one rate: the
    destination country's)."""
    prices = dict(await OrderLine.filter(order_id=order.id).values_list("id", "unit_price"))
    lines, gross = [], Decimal(0)
    for line_id, sku, qty in quantities:
        if qty <= 0:
            continue
        unit = Decimal(prices[line_id])
        lines.append({"sku": sku, "quantity": qty, "unit_price": str(unit),
                      "amount": str(unit * qty)})
        gross += unit * qty
    split = vat.split(gross, vat.rate_for(await destination_country(order)))
    return {"lines": lines, "currency": order.currency,
            "vat": {"rate": str(split.rate), "net": str(split.net), "vat": str(split.vat),
                    "gross": str(split.gross)}}


async def seller(order: Order) -> list[str]:
    """Who sells: the channel (the OMS keeps no legal entity of its own)."""
    channel = await Channel.get(id=order.channel_id)
    return [channel.name]
