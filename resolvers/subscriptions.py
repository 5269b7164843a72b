"""The Subscription root: stock totals and order events, pushed over graphql-transport-ws.

Access is checked when a subscription starts (a refusal arrives as the operation's
`error` message); each event is then resolved with fresh loaders, never a socket-long
cache. A client too slow for its order feed gets a SUBSCRIBER_TOO_SLOW error and the
subscription completes: it resubscribes with `after` and misses nothing.
"""
from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from oms import catalog
from oms.errors import ErrorCode
from oms.events.hub import Hub
from resolvers.base import refusal
from schema.context import Info
from schema.realtime import StockUpdate

STOCK_WATCHERS = ("availability:read", "orders:write", "orders:read")


def hub_of(info: Info) -> Hub:
    runtime = info.context.runtime
    assert runtime is not None, "subscriptions need the server runtime"
    return runtime.hub


async def check_channel(info: Info, code: str, may_see: bool) -> None:
    if await catalog.find_channel(code) is None:
        raise refusal(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {code!r}")
    if not may_see:
        raise refusal("FORBIDDEN", f"this token may not watch channel {code}")


@strawberry.type
class Subscription:
    @strawberry.subscription(description=(
        "Promisable totals for a channel, pushed whenever they change (only the SKUs asked, "
        "if given). Many changes to one SKU within 50 ms arrive as one update with the latest "
        "total; a slow client receives the latest total per SKU, never a backlog."
    ))
    async def stock_updates(self, info: Info, channel: str,
                            skus: list[str] | None = None) -> AsyncGenerator[StockUpdate, None]:
        who = await info.context.require(*STOCK_WATCHERS)
        await check_channel(info, channel, who.sees_channel(channel))
        return _stock_updates(hub_of(info), channel, skus)


async def _stock_updates(hub: Hub, channel: str,
                         skus: list[str] | None) -> AsyncGenerator[StockUpdate, None]:
    with hub.stock_feed(channel, skus) as feed:
        if feed.skus:
            feed.baseline(await hub.current_totals(channel, feed.skus))
        async for value in feed:
            yield StockUpdate.of(value)  # reads nothing of the viewer: no loaders to refresh
