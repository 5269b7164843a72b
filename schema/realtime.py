"""What subscriptions push: stock totals and order events."""
from __future__ import annotations

from datetime import datetime

import strawberry

from oms.events.feeds import StockValue


@strawberry.type(description="A channel's new promisable total for one SKU.")
class StockUpdate:
    sku: str
    channel: str
    available: int = strawberry.field(description="New promisable total for the channel.")
    at: datetime

    @classmethod
    def of(cls, value: StockValue) -> StockUpdate:
        return cls(sku=value.sku, channel=value.channel, available=value.available, at=value.at)
