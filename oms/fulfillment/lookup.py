"""Finding the order, fulfillment or node a mutation names, as the caller may see it.

Anything the caller may not see is reported exactly like something that does not
exist (NOT_FOUND), so ids cannot be probed across channels or customers.
"""
from __future__ import annotations

import uuid

from oms.auth import Principal
from oms.catalog import get_node
from oms.errors import DomainError, ErrorCode
from oms.locks import lock_order_row
from oms.models import Channel, Fulfillment, Node, Order


def parse_uuid(value: str) -> uuid.UUID | None:
    """The UUID in `value`, or None when it is not one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


async def channel_code(order: Order) -> str:
    """The code of the order's channel."""
    codes = await Channel.filter(id=order.channel_id).values_list("code", flat=True)
    return str(codes[0])


def owns(principal: Principal, order: Order) -> bool:
    """Whether the order carries the caller's customerRef."""
    return order.customer_ref is not None and order.customer_ref == principal.customer_ref


def may_see_order(principal: Principal, order: Order, channel: str) -> bool:
    """Whether the caller may act on this order, as `order(id)` reads: its channels, and
    for a customer token only its own orders in them, for a company's token its company's."""
    if not principal.sees_channel(channel) or not principal.sees_company_of(order.company_id):
        return False
    return owns(principal, order) if principal.own_orders_only else True


async def lock_order(principal: Principal, order_id: str, *field: str,
                     also_via_channel: str | None = None, own_only: bool = False) -> Order:
    """The order with this id if the caller may see it (or acts for `also_via_channel`);
    with `own_only`, only an order in its channels carrying the caller's customerRef."""
    key = parse_uuid(order_id)
    order = await lock_order_row(key) if key else None
    if order is not None:
        code = await channel_code(order)
        if own_only:
            allowed = principal.sees_channel(code) and owns(principal, order)
        else:
            via = also_via_channel is not None and principal.sees_channel(also_via_channel)
            allowed = may_see_order(principal, order, code) or (
                via and not principal.own_orders_only and principal.company_code is None)
        if allowed:
            return order
    raise DomainError.of(ErrorCode.NOT_FOUND, f"no order {order_id}", *field)


async def lock_fulfillment(principal: Principal, fulfillment_id: str,
                           *field: str) -> tuple[Fulfillment, Order, Node]:
    """The fulfillment, its order and node, if the caller may work on it (channel and node)."""
    key = parse_uuid(fulfillment_id)
    order_id = await Fulfillment.filter(id=key).first().values_list("order_id", flat=True) \
        if key else None
    order = await lock_order_row(order_id) if order_id else None
    found = await Fulfillment.get_or_none(id=key) if order else None
    if order is not None and found is not None:
        node = await Node.get(id=found.node_id)
        if principal.sees_channel(await channel_code(order)) and principal.sees_node(node.code):
            return found, order, node
    raise DomainError.of(ErrorCode.NOT_FOUND, f"no fulfillment {fulfillment_id}", *field)


async def allowed_node(principal: Principal, code: str, *field: str) -> Node:
    """The node with this code, if the caller may act there."""
    node = await get_node(code)
    if node is None:
        raise DomainError.of(ErrorCode.UNKNOWN_NODE, f"unknown node {code!r}", *field)
    if not principal.sees_node(node.code):
        raise DomainError.of(ErrorCode.NODE_NOT_ALLOWED,
                             f"this token may not act at node {code}", *field)
    return node
