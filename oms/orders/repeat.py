"""reorder: an earlier order's lines, channel, customer, delivery and company, placed again."""
from __future__ import annotations

from oms.auth import Principal
from oms.errors import DomainError, ErrorCode
from oms.models import Channel, Company, Node, Order, OrderLine
from oms.orders.inputs import LineSpec, OrderSpec, Price
from oms.orders.placement import place_order
from oms.orders.queries import get_order
from oms.uow import UnitOfWork


async def reorder(uow: UnitOfWork, principal: Principal, order_id: str,
                  idempotency_key: str | None) -> Order:
    """Place the order `order_id` (one the caller sees) again, at the same prices and on the
    same terms; a retry with the same key returns the first reorder."""
    earlier = await get_order(principal, order_id)
    if earlier is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, f"no order {order_id}", "orderId")
    return await place_order(uow, principal, await _spec_of(earlier, idempotency_key))


async def _spec_of(order: Order, idempotency_key: str | None) -> OrderSpec:
    lines = await OrderLine.filter(order_id=order.id).order_by("position")
    channel = await Channel.get(id=order.channel_id)
    pickup = await Node.get(id=order.pickup_node_id) if order.pickup_node_id else None
    company = await Company.get(id=order.company_id) if order.company_id else None
    return OrderSpec(
        channel=channel.code, customer_email=order.customer_email,
        delivery_method=order.delivery_method,
        lines=[LineSpec(line.sku, line.quantity, Price(line.unit_price, order.currency))
               for line in lines],
        customer_ref=order.customer_ref, shipping_address=order.shipping_address,
        pickup_node_code=pickup.code if pickup else None, idempotency_key=idempotency_key,
        company_code=company.code if company else None,
    )
