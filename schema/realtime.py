"""What subscriptions push: stock totals and order events."""
from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from weakref import WeakKeyDictionary

import strawberry

from oms import models
from oms.events.feeds import StockValue
from schema.context import Info
from schema.order_loaders import orders_by_id
from schema.orders import Order, OrderEvent


@strawberry.type(description="A channel's new promisable total for one SKU.")
class StockUpdate:
    sku: str
    channel: str
    available: int = strawberry.field(description="New promisable total for the channel.")
    at: datetime
    # The same object goes to every subscriber of the value (see schema/shared_results.py).
    SHARED_RESULT: ClassVar[bool] = True

    @classmethod
    def of(cls, value: StockValue) -> StockUpdate:
        update = _stock_updates.get(value)
        if update is None:
            update = _stock_updates[value] = cls(
                sku=value.sku, channel=value.channel, available=value.available, at=value.at)
        return update


_stock_updates: WeakKeyDictionary[StockValue, StockUpdate] = WeakKeyDictionary()


@strawberry.type(description="One event of an order, with the order as it is when the event is sent.")
class OrderUpdate:
    event: OrderEvent
    cursor: str = strawberry.field(description=(
        "Where this update stands in its feed: pass the last one received as `after` when "
        "resubscribing to miss nothing. In orderUpdates the event id; in orderEvents a "
        "position in commit order across every order (event ids are not, across orders)."))
    order_id_: strawberry.Private[str]

    @strawberry.field(description="Read afresh for each event, never from a socket-long cache.")
    async def order(self, info: Info) -> Order:
        row = await info.context.loaders(orders_by_id).load(self.order_id_)
        return Order.of(row)

    @classmethod
    def of(cls, row: models.OrderEvent, cursor: int | None = None) -> OrderUpdate:
        return cls(event=OrderEvent.of(row), cursor=str(row.id if cursor is None else cursor),
                   order_id_=str(row.order_id))
