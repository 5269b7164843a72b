"""The Subscription root: stock totals and order events, pushed over graphql-transport-ws.

Access is checked when a subscription starts (a refusal arrives as the operation's
`error` message); each event is then resolved with fresh loaders, never a socket-long
cache. A client too slow for its order feed gets a SUBSCRIBER_TOO_SLOW error and the
subscription completes: it resubscribes with `after` and misses nothing.
"""
from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable
from dataclasses import dataclass

import strawberry

from oms import catalog, scopes, stock_alerts
from oms.errors import DomainError, ErrorCode
from oms.events import order_watch
from oms.events.feeds import FeedItem, OrderFeed, SubscriberTooSlow
from oms.events.hub import Hub
from oms.events.topics import WEBHOOK_ENDPOINT_DISABLED
from oms.models import OrderEvent
from oms.orders.queries import get_order
from oms.webhooks import endpoints
from resolvers.base import refusal
from resolvers.sockets import counted
from schema.context import Info, fresh_loaders_for_event
from schema.realtime import OrderUpdate, StockUpdate
from schema.replenishment import LowStockAlert
from schema.webhooks import WebhookAlert


def hub_of(info: Info) -> Hub:
    runtime = info.context.runtime
    assert runtime is not None, "subscriptions need the server runtime"
    return runtime.hub


async def check_channel(info: Info, code: str, may_see: bool) -> None:
    """A channel outside the token's limits is unknown to it, as everywhere."""
    if not may_see or await catalog.get_channel(code) is None:
        raise refusal(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {code!r}")


@strawberry.type
class Subscription:
    @strawberry.subscription(description=(
        "Promisable totals for a channel, pushed whenever they change (only the SKUs asked, "
        "if given). Many changes to one SKU within 50 ms arrive as one update with the latest "
        "total; a slow client receives the latest total per SKU, never a backlog. With "
        "`initial: true` (which needs `skus`) the current total of each SKU asked comes first, "
        "in the order asked, then every change: none made meanwhile is missed."
    ))
    async def stock_updates(self, info: Info, channel: str, skus: list[str] | None = None,
                            initial: bool | None = False) -> AsyncGenerator[StockUpdate, None]:
        who = await info.context.require(*scopes.READ_AVAILABILITY)
        await check_channel(info, channel, who.sees_channel(channel))
        if initial and not skus:
            raise refusal(ErrorCode.BAD_USER_INPUT, "initial: true sends the current totals of "
                          "the skus asked: give skus", ("skus",))
        return counted(info, _stock_updates(Watch(hub_of(info), who.token_id), channel, skus,
                                            bool(initial)))

    @strawberry.subscription(description=(
        "Every event of one order, pushed as it happens. After a reconnect pass `after`, the "
        "id of the last event received: the missed events come first, then live ones, none twice."
    ))
    async def order_updates(self, info: Info, order_id: strawberry.ID,
                            after: strawberry.ID | None = None) -> AsyncGenerator[OrderUpdate, None]:
        who = await info.context.require(*scopes.READ_ORDERS)
        try:
            since = order_watch.parse_event_id(after)
        except DomainError as exc:
            raise refusal(ErrorCode.INVALID_INPUT, str(exc)) from None
        order = await get_order(who, str(order_id))
        if order is None:
            raise refusal(ErrorCode.NOT_FOUND, f"no order {order_id}")
        return counted(info, _order_updates(Watch(hub_of(info), who.token_id), str(order.id),
                                            since))

    @strawberry.subscription(description=(
        "Every order event in the given channels (empty = all the token may see): for "
        "dashboards. A customer token sees its own orders only. After a reconnect pass "
        "`after`, the `cursor` of the last update received: the events committed since come "
        "first, in commit order, then live ones, none twice (replay reaches back about a day; "
        "further gives CURSOR_EXPIRED)."
    ))
    async def order_events(self, info: Info, channels: list[str] | None = None,
                           after: str | None = None) -> AsyncGenerator[OrderUpdate, None]:
        who = await info.context.require(*scopes.READ_ORDERS)
        for code in channels or []:
            await check_channel(info, code, who.sees_channel(code))
        try:
            since = order_watch.parse_event_id(after)
            if since is not None:
                await order_watch.check_cursor(since)
        except DomainError as exc:
            raise refusal(exc.problems[0].code, str(exc), ("after",)) from None
        accepts = order_watch.event_filter(who, frozenset(channels or ()))
        return counted(info, _order_events(Watch(hub_of(info), who.token_id), accepts, since))

    @strawberry.subscription(description=(
        "A position falling to or below its reorder point, as it happens: once per crossing "
        "(a further fall says nothing; rising above the point re-arms it). Only the nodes "
        "given (all the token sees when none), each within the token's limits."
    ))
    async def stock_alerts(self, info: Info, node_codes: list[str] | None = None,
                           ) -> AsyncGenerator[LowStockAlert, None]:
        who = await info.context.require(*scopes.READ_STOCK)
        try:
            nodes = await stock_alerts.followed_nodes(who, node_codes)
        except DomainError as exc:
            problem = exc.problems[0]
            raise refusal(problem.code, problem.message, problem.field) from None
        watch = Watch(hub_of(info), who.token_id)
        return counted(info, _stock_alerts(watch, stock_alerts.alert_filter(nodes)))


    @strawberry.subscription(description=(
        "Webhook endpoints disabled after too many failed attempts in a row, as it happens "
        "(for the operations dashboard); a channel-limited token hears of its endpoints only."))
    async def webhook_alerts(self, info: Info) -> AsyncGenerator[WebhookAlert, None]:
        who = await info.context.require(*scopes.MANAGE_WEBHOOKS)
        watch = Watch(hub_of(info), who.token_id)
        return counted(info, _webhook_alerts(watch, endpoints.alert_filter(who)))


@dataclass(frozen=True)
class Watch:
    """The hub, and the token a subscription runs under: revoking it ends the subscription."""

    hub: Hub
    token_id: str

    def check(self) -> None:
        if self.hub.revoked(self.token_id):
            raise refusal(ErrorCode.UNAUTHENTICATED, "token revoked")


async def _stock_updates(watch: Watch, channel: str, skus: list[str] | None,
                         initial: bool) -> AsyncGenerator[StockUpdate, None]:
    hub = watch.hub
    # Listen first, then read the totals: a change committed in between is in them, and the
    # feed, which drops older values and repeats of them, pushes only what comes after.
    with hub.stock_feed(channel, skus) as feed:
        if skus:
            opening = await hub.opening_totals(feed, list(dict.fromkeys(skus)))
            for value in opening if initial else ():
                yield StockUpdate.of(value)
        async for value in feed:
            watch.check()
            yield StockUpdate.of(value)  # reads nothing of the viewer: no loaders to refresh


async def _order_updates(watch: Watch, order_id: str,
                         after: int | None) -> AsyncGenerator[OrderUpdate, None]:
    # Listen first, then read the history: an event committed in between is in both,
    # and the id check below drops the second copy.
    with watch.hub.order_feed(order_id, lambda _: True) as feed:
        last = after
        if after is not None:
            for row in await order_watch.events_between(order_id, after):
                yield _update(row)
                last = row.id
        async for item in _guarded(feed):
            watch.check()
            event_id = int(item.payload["event_id"])
            if last is not None and event_id <= last:
                continue
            # Live events may arrive out of order (several relays): fill any gap from the table.
            rows = await (order_watch.events_between(order_id, last, event_id)
                          if last is not None else _carried(item.payload))
            for row in rows:
                yield _update(row)
                last = row.id


async def _order_events(watch: Watch, accepts: order_watch.EventFilter,
                        after: int | None) -> AsyncGenerator[OrderUpdate, None]:
    """Every accepted event once, in position (commit) order. `covered`: every position up
    to it was sent or is not for this caller. A live event the feed cannot vouch for (the
    first one, one that came out of order) sends the gap before it from the outbox."""
    with watch.hub.order_feed(None, accepts) as feed:
        if after is None:
            covered = await order_watch.start_cursor()
        else:
            covered = after
            async for batch in order_watch.replay(accepts, after):
                for at, row in batch.events:
                    yield _update(row, at)
                covered = batch.covered
        async for item in _guarded(feed):
            watch.check()
            position = item.position
            if position is None:  # published before events had positions
                for row in await _carried(item.payload):
                    yield _update(row)
                continue
            if position <= covered:
                continue
            if item.gap_free:
                for row in await _carried(item.payload):
                    yield _update(row, position)
            else:
                async for batch in order_watch.replay(accepts, covered, position):
                    for at, row in batch.events:
                        yield _update(row, at)
            covered = position


async def _carried(payload: order_watch.OrderPayload) -> list[OrderEvent]:
    return [row for row in await order_watch.events_of([payload]) if row is not None]


async def _webhook_alerts(watch: Watch, accepts: order_watch.EventFilter,
                          ) -> AsyncGenerator[WebhookAlert, None]:
    with watch.hub.alert_feed(accepts, WEBHOOK_ENDPOINT_DISABLED) as feed:
        async for item in _guarded(feed):
            watch.check()
            yield WebhookAlert.of_event(item.payload)


async def _stock_alerts(watch: Watch, accepts: order_watch.EventFilter,
                        ) -> AsyncGenerator[LowStockAlert, None]:
    with watch.hub.alert_feed(accepts) as feed:
        try:
            async for item in feed:
                watch.check()
                fresh_loaders_for_event()
                yield LowStockAlert.of_event(item.payload)
        except SubscriberTooSlow:
            raise refusal(ErrorCode.SUBSCRIBER_TOO_SLOW, (
                f"subscriber too slow: more than {feed.size} alerts waited; resubscribe "
                "(lowStock lists every position low now)")) from None




def _update(row: OrderEvent, position: int | None = None) -> OrderUpdate:
    fresh_loaders_for_event()
    return OrderUpdate.of(row, position)


async def _guarded(feed: OrderFeed) -> AsyncIterable[FeedItem]:
    try:
        async for item in feed:
            yield item
    except SubscriberTooSlow as exc:
        raise refusal(ErrorCode.SUBSCRIBER_TOO_SLOW, str(exc)) from None
