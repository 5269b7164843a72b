"""Orders and cart reservations: placeOrder, reserve, releaseReservation, overrideRouting, reads."""
from __future__ import annotations

from datetime import datetime

import strawberry

from oms import scopes
from oms.orders import abandoned, queries, reservations
from oms.orders.override import OverrideSpec, override_routing
from oms.orders.placement import place_order
from oms.scopes import Scope
from resolvers.base import answer, mutate
from schema.common import PageInfo
from schema.context import Info
from schema.orders import (
    Order,
    OrderConnection,
    OrderEdge,
    OrderFilter,
    OrderPayload,
    PlaceOrderInput,
    RoutingOverrideInput,
)
from schema.reservations import AbandonedCart, Reservation, ReservationPayload, ReserveInput


def _reservation(hold: reservations.Hold) -> Reservation:
    return Reservation.of(hold.reservation, hold.channel_code, hold.lines)


@strawberry.type
class OrderQuery:
    @strawberry.field
    async def order(self, info: Info, id: strawberry.ID | None = None,
                    number: str | None = None) -> Order | None:
        who = await info.context.require(*scopes.READ_ORDERS)
        found = await queries.get_order(who, id, number)
        return Order.of(found) if found else None

    @strawberry.field
    async def orders(self, info: Info, filter: OrderFilter | None = None, first: int | None = 50,
                     after: str | None = None) -> OrderConnection:
        who = await info.context.require(*scopes.READ_ORDERS)
        wanted = filter.to_criteria() if filter else queries.OrderCriteria()
        page = await answer(queries.list_orders(who, wanted, 50 if first is None else first, after))
        edges = [OrderEdge(cursor=cursor, node=Order.of(order))
                 for order, cursor in zip(page.orders, page.cursors, strict=True)]
        return OrderConnection(
            edges=edges, total_count=page.total_count,
            page_info=PageInfo(has_next_page=page.has_next_page,
                               end_cursor=page.cursors[-1] if page.cursors else None),
        )


    @strawberry.field(description=(
        "Cart holds that expired without an order (newest first), lapsed at or after `since`: "
        "for marketing to follow up."))
    async def abandoned_carts(self, info: Info, channel: str | None = None,
                              since: datetime | None = None,
                              first: int | None = 100) -> list[AbandonedCart]:
        who = await info.context.require(*scopes.READ_ABANDONED_CARTS)
        found = await answer(abandoned.abandoned_carts(who, channel, since, 100 if first is None else first))
        return [AbandonedCart.of(cart) for cart in found]


@strawberry.type
class OrderMutation:
    @strawberry.mutation
    async def place_order(self, info: Info, input: PlaceOrderInput) -> OrderPayload:
        spec = input.to_spec()
        out = await mutate(info, (Scope.ORDERS_WRITE,), lambda uow, who: place_order(uow, who, spec))
        return OrderPayload(order=out.map(Order.of), user_errors=out.user_errors)

    @strawberry.mutation
    async def reserve(self, info: Info, input: ReserveInput) -> ReservationPayload:
        spec = input.to_spec()
        out = await mutate(info, (Scope.ORDERS_WRITE,),
                           lambda uow, who: reservations.reserve(uow, who, spec))
        return ReservationPayload(reservation=out.map(_reservation), user_errors=out.user_errors)

    @strawberry.mutation
    async def release_reservation(self, info: Info, id: strawberry.ID) -> ReservationPayload:
        out = await mutate(info, (Scope.ORDERS_WRITE,),
                           lambda uow, who: reservations.release_reservation(uow, who, str(id)))
        return ReservationPayload(reservation=out.map(_reservation), user_errors=out.user_errors)

    @strawberry.mutation(
        description="Move unshipped lines to another node by hand; the node must have the stock.")
    async def override_routing(self, info: Info, input: RoutingOverrideInput) -> OrderPayload:
        spec = OverrideSpec(str(input.order_id), input.node_code, input.reason,
                            [str(i) for i in input.order_line_ids]
                            if input.order_line_ids is not None else None)
        out = await mutate(info, (Scope.ROUTING_WRITE,),
                           lambda uow, who: override_routing(uow, who, spec),
                           audit=lambda order: f"order:{order.number}")
        return OrderPayload(order=out.map(Order.of), user_errors=out.user_errors)
