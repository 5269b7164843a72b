"""Node work and cancellation: inputs and the fulfillment payload."""
from __future__ import annotations

import strawberry

from oms.orders.cancellation import CancelSpec
from schema.common import UserError
from schema.orders import Fulfillment, Order


@strawberry.input
class ShipFulfillmentInput:
    fulfillment_id: strawberry.ID
    carrier: str
    tracking_number: str


@strawberry.input
class CancelOrderInput:
    order_id: strawberry.ID
    reason: str
    order_line_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Lines to cancel (whole remaining quantity); omitted = the "
                                  "whole order.")

    def to_spec(self) -> CancelSpec:
        ids = None if self.order_line_ids is None else [str(i) for i in self.order_line_ids]
        return CancelSpec(str(self.order_id), self.reason, ids)


@strawberry.type
class FulfillmentPayload:
    fulfillment: Fulfillment | None = None
    order: Order | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
