"""The Subscription root: stock totals and order events, pushed over graphql-transport-ws.

Access is checked when the subscription starts (refusals arrive as a GraphQL `error`
message); each event is then resolved with fresh loaders, never a socket-long cache.
"""
from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from oms import catalog
from oms.errors import ErrorCode
from oms.events.hub import Hub
from resolvers.base import refusal
from schema.context import Info, fresh_loaders_for_event
from schema.realtime import StockUpdate

AVAILABILITY_READERS = ("availability:read", "orders:write", "orders:read")


def hub_of(info: Info) -> Hub:
    runtime = info.context.runtime
    assert runtime is not None, "subscriptions need the server runtime"
    return runtime.hub


@strawberry.type
class Subscription:
    @strawberry.subscription(description=(
        "Promisable totals for a channel, pushed whenever they change (only the SKUs asked, "
        "if given). Many changes to one SKU within 50 ms arrive as one update with the latest "
        "total; a slow client receives the latest total per SKU, never a backlog."
    ))
    async def stock_updates(self, info: Info, channel: str,
                            skus: list[str] | None = None) -> AsyncGenerator[StockUpdate, None]:
        who = await info.context.require(*AVAILABILITY_READERS)
        if await catalog.find_channel(channel) is None:
            raise refusal(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {channel!r}")
        if not who.sees_channel(channel):
            raise refusal("FORBIDDEN", f"this token may not watch channel {channel}")
        return _stock_updates(hub_of(info), channel, skus)


async def _stock_updates(hub: Hub, channel: str,
                         skus: list[str] | None) -> AsyncGenerator[StockUpdate, None]:
    with hub.stock_feed(channel, skus) as feed:
        if feed.skus:
            feed.baseline(await hub.current_totals(channel, feed.skus))
        async for value in feed:
            fresh_loaders_for_event()
            yield StockUpdate.of(value)
