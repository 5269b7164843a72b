"""Subscriptions with hostile arguments, over a real websocket (tests/test_fuzz.py generates
queries and mutations only): each is refused with a code, never INTERNAL_SERVER_ERROR, or
subscribes and stays quiet; the socket carries a good subscription afterwards."""
from __future__ import annotations

from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.helpers import stock
from tests.servers import one_sku_shop, ws_session
from tests.test_realtime_orders import ORDER_EVENTS, ORDER_UPDATES
from tests.test_realtime_stock import STOCK_UPDATES

LONG = "x" * 20_000
HOSTILE: list[tuple[str, dict[str, Any]]] = [
    (STOCK_UPDATES, {"channel": "a\x00b"}),
    (STOCK_UPDATES, {"channel": LONG}),
    (STOCK_UPDATES, {"channel": ""}),
    (STOCK_UPDATES, {"channel": "web", "skus": [LONG, "\x00", "", "A"]}),
    (STOCK_UPDATES, {"channel": "web", "skus": ["A"] * 5_000}),
    (ORDER_UPDATES, {"orderId": "not-a-uuid"}),
    (ORDER_UPDATES, {"orderId": LONG, "after": LONG}),
    (ORDER_UPDATES, {"orderId": "00000000-0000-0000-0000-000000000000", "after": "9" * 30}),
    (ORDER_UPDATES, {"orderId": "00000000-0000-0000-0000-000000000000", "after": "-1"}),
    (ORDER_UPDATES, {"orderId": "\x00"}),
    (ORDER_EVENTS, {"channels": [LONG, "\x00", ""]}),
    (ORDER_EVENTS, {"channels": []}),
]


@pytest.fixture
async def server(database: Any, admin_token: str) -> Any:
    async with one_sku_shop(database, admin_token) as running:
        yield running


async def outcome(sub: Any) -> str:
    """'quiet', 'data', or the code it was refused with."""
    try:
        await sub.next(1.0)
    except TimeoutError:
        return "quiet"
    except TransportQueryError as refused:
        return str(((refused.errors or [{}])[0].get("extensions") or {}).get("code"))
    return "data"


async def test_hostile_subscription_arguments_are_refused_with_codes(server: Any,
                                                                   admin_token: str) -> None:
    async with ws_session(server.ws_url, admin_token) as ws:
        seen = [await outcome(ws.subscribe(query, variables)) for query, variables in HOSTILE]
        assert "INTERNAL_SERVER_ERROR" not in seen and "None" not in seen, seen
        feeds = server.hub.feed_count()
        good = ws.subscribe(STOCK_UPDATES, {"channel": "web", "skus": ["A"]})
        await server.wait_for_feeds(feeds + 1)
        await stock(server.api, ("A", "WH1", 7))
        assert (await good.next())["stockUpdates"]["available"] == 7
