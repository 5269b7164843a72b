"""webhookAlerts: an endpoint disabled after too many failures reaches the dashboard as it happens."""
from __future__ import annotations

import pytest
from gql.transport.exceptions import TransportQueryError

from oms.config import Settings
from tests.conftest import make_token
from tests.journeys import place_paid
from tests.receiver import receiver
from tests.servers import ws_session
from tests.webhook_helpers import hooked, shop

ALERTS = "subscription { webhookAlerts { type endpointId url reason consecutiveFailures at } }"


async def test_a_disabled_endpoint_is_announced_to_whoever_may_see_it(database: Settings,
                                                                      admin_token: str) -> None:
    async with shop(database, admin_token, webhook_retry_base_seconds=0.05,
                    webhook_max_failures=2, webhook_max_attempts=5) as server, \
            receiver() as hook:
        hook.default = 500
        made = await hooked(server.api, hook, ["ORDER_CREATED"], channels=["web"])
        other_channel = await make_token(["webhooks:write"], channels=["mkt"])
        async with ws_session(server.ws_url, admin_token) as admin, \
                ws_session(server.ws_url, other_channel) as mkt:
            told = admin.subscribe(ALERTS)
            untold = mkt.subscribe(ALERTS)
            await server.wait_for_feeds(2)
            await place_paid(server.api, ("A", 1))
            alert = (await told.next(15))["webhookAlerts"]
            assert await untold.drain(0.5) == [], "an endpoint of web is not mkt's business"
    assert alert["type"] == "ENDPOINT_DISABLED" and alert["endpointId"] == made["id"]
    assert alert["url"] == hook.url and alert["consecutiveFailures"] == 2
    assert "2 failed attempts" in alert["reason"]


async def test_webhook_alerts_need_the_webhooks_scope(database: Settings, admin_token: str) -> None:
    async with shop(database, admin_token) as server:
        reader = await make_token(["orders:read"])
        async with ws_session(server.ws_url, reader) as ws:
            with pytest.raises(TransportQueryError) as refused:
                await ws.subscribe(ALERTS).next()
    assert refused.value.errors[0]["extensions"]["code"] == "FORBIDDEN"
