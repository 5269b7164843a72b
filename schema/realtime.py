"""What subscriptions push: stock totals and order events."""
from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from weakref import WeakKeyDictionary

import strawberry

from oms.events.feeds import StockValue


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
