"""What a notification's templates are given: the facts stored with it at commit, and the
names read when it is rendered (the order's number, the channel's and the store's names)."""
from __future__ import annotations

from typing import Any

from oms.models import Channel, Node, Notification, Order, OrderLine
from oms.notifications.render import Rendered, render, subject

DEFAULTS: dict[str, Any] = {
    "name": None, "channel_name": "", "number": "", "lines": [], "total": "", "currency": "",
    "carrier": "", "tracking_number": "", "node_name": "", "node_address": "", "hours": "",
    "amount": "", "sku": "",
}
"Every variable a template may name (StrictUndefined refuses any other)."


async def rendered(row: Notification) -> Rendered:
    """Render `row` in its language from its facts and what it names."""
    return render(row.kind, row.language, await context_of(row))


def subject_of(row: Notification, order_number: str | None) -> str:
    """The subject of `row`: the one rendered for sending, or (not rendered yet) the one it
    will have, from its facts and its order's number."""
    if row.subject is not None:
        return row.subject
    return subject(row.kind, row.language, {**DEFAULTS, **row.context, "number": order_number or ""})


async def context_of(row: Notification) -> dict[str, Any]:
    context = {**DEFAULTS, **row.context}
    channel = await Channel.get(id=row.channel_id).only("id", "name")
    context["channel_name"] = channel.name
    node_code = row.context.get("node")
    if row.order_id is not None:
        order = await Order.get(id=row.order_id)
        context.update(number=order.number, total=str(order.total), currency=order.currency,
                       name=(order.shipping_address or {}).get("name"))
        if "lines" not in row.context:
            context["lines"] = [{"sku": sku, "quantity": qty} for sku, qty in await OrderLine.filter(
                order_id=order.id).order_by("position").values_list("sku", "quantity")]
        if node_code is None and order.pickup_node_id is not None:
            node = await Node.get_or_none(id=order.pickup_node_id)
            node_code = node.code if node else None
    if node_code:
        context.update(await _node(str(node_code)))
    return context


async def _node(code: str) -> dict[str, str]:
    node = await Node.get_or_none(code=code)
    if node is None:
        return {"node_name": code, "node_address": ""}
    address = node.address or {}
    parts = [address.get(key) for key in ("line1", "postal_code", "city")]
    return {"node_name": node.name, "node_address": ", ".join(str(p) for p in parts if p)}
