"""Node work on fulfillments, and cancelling orders."""
from __future__ import annotations

import strawberry

from oms.enums import FulfillmentStatus
from oms.fulfillment import rejection, work
from oms.fulfillment.work import Work
from oms.orders import cancellation
from oms.scopes import Scope
from resolvers.base import Outcome, mutate
from schema.context import Info
from schema.fulfillment import CancelOrderInput, FulfillmentPayload, ShipFulfillmentInput
from schema.orders import Fulfillment, Order, OrderPayload

NODE_WORK = (Scope.FULFILLMENT_WRITE,)


def _payload(out: Outcome[Work]) -> FulfillmentPayload:
    return FulfillmentPayload(fulfillment=out.map(lambda w: Fulfillment.of(w.fulfillment)),
                              order=out.map(lambda w: Order.of(w.order)),
                              user_errors=out.user_errors)


async def _advance(info: Info, fulfillment_id: strawberry.ID,
                   target: FulfillmentStatus) -> FulfillmentPayload:
    return _payload(await mutate(info, NODE_WORK, lambda uow, who: work.advance(
        uow, who, str(fulfillment_id), target)))


@strawberry.type
class FulfillmentMutation:
    @strawberry.mutation
    async def accept_fulfillment(self, info: Info,
                                 fulfillment_id: strawberry.ID) -> FulfillmentPayload:
        return await _advance(info, fulfillment_id, FulfillmentStatus.ACCEPTED)

    @strawberry.mutation(description="The node cannot fulfill: its lines go back to sourcing, "
                                     "excluding this node.")
    async def reject_fulfillment(self, info: Info, fulfillment_id: strawberry.ID,
                                 reason: str) -> FulfillmentPayload:
        return _payload(await mutate(info, NODE_WORK, lambda uow, who: rejection.reject(
            uow, who, str(fulfillment_id), reason)))

    @strawberry.mutation
    async def mark_picked(self, info: Info, fulfillment_id: strawberry.ID) -> FulfillmentPayload:
        return await _advance(info, fulfillment_id, FulfillmentStatus.PICKED)

    @strawberry.mutation
    async def mark_packed(self, info: Info, fulfillment_id: strawberry.ID) -> FulfillmentPayload:
        return await _advance(info, fulfillment_id, FulfillmentStatus.PACKED)

    @strawberry.mutation
    async def mark_ready_for_pickup(self, info: Info,
                                    fulfillment_id: strawberry.ID) -> FulfillmentPayload:
        return await _advance(info, fulfillment_id, FulfillmentStatus.READY_FOR_PICKUP)

    @strawberry.mutation
    async def ship_fulfillment(self, info: Info, input: ShipFulfillmentInput) -> FulfillmentPayload:
        return _payload(await mutate(info, NODE_WORK, lambda uow, who: work.ship(
            uow, who, str(input.fulfillment_id), input.carrier, input.tracking_number)))

    @strawberry.mutation
    async def mark_delivered(self, info: Info,
                             fulfillment_id: strawberry.ID) -> FulfillmentPayload:
        return _payload(await mutate(info, NODE_WORK, lambda uow, who: work.deliver(
            uow, who, str(fulfillment_id))))

    @strawberry.mutation
    async def mark_picked_up(self, info: Info,
                             fulfillment_id: strawberry.ID) -> FulfillmentPayload:
        return _payload(await mutate(info, NODE_WORK, lambda uow, who: work.hand_over(
            uow, who, str(fulfillment_id))))

    @strawberry.mutation
    async def cancel_order(self, info: Info, input: CancelOrderInput) -> OrderPayload:
        spec = input.to_spec()
        out = await mutate(info, (Scope.ORDERS_WRITE,),
                           lambda uow, who: cancellation.cancel_order(uow, who, spec),
                           audit=lambda order: f"order:{order.number}")
        return OrderPayload(order=out.map(Order.of), user_errors=out.user_errors)
