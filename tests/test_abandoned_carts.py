"""Abandoned carts through GraphQL: `reserve` keeps the customer's e-mail, a hold that expired
without an order is an abandoned cart (`abandonedCarts`, newest first), and every expiry,
by the sweeper or by a placement that found it, writes one `reservation.expired` event."""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from oms import clock
from oms.config import Settings
from oms.models import OutboxEvent
from tests.conftest import Api, make_token
from tests.helpers import app_client, channel
from tests.order_helpers import network, place, stock
from tests.servers import eventually
from tests.test_reservations import RELEASE

RESERVE = """
mutation($input: ReserveInput!) {
  reserve(input: $input) {
    reservation { id channel status customerEmail expiresAt lines { sku quantity } }
    userErrors { code message field }
  }
}"""
CARTS = """
query($channel: String, $since: DateTime, $first: Int) {
  abandonedCarts(channel: $channel, since: $since, first: $first) {
    channel customerEmail units expiredAt
    reservation { id status customerEmail expiresAt lines { sku quantity } }
  }
}"""


@pytest.fixture
async def unswept(database: Settings, admin_token: str) -> AsyncIterator[Api]:
    """An app whose background sweeper waits an hour: expired holds stay unswept."""
    async with app_client(replace(database, reservation_sweep_seconds=3600)) as client:
        yield Api(client, admin_token)


async def reserve(api: Any, *lines: tuple[str, int], ttl: int = 60, email: str | None = None,
                  channel_code: str = "web") -> dict[str, Any]:
    data = await api(RESERVE, {"input": {"channel": channel_code, "ttlSeconds": ttl,
                                         "customerEmail": email, "lines": [
                                             {"sku": sku, "quantity": qty} for sku, qty in lines]}})
    assert data["reserve"]["userErrors"] == [], data
    return data["reserve"]["reservation"]


async def expired_events() -> list[dict[str, Any]]:
    return list(await OutboxEvent.filter(topic="reservation.expired").order_by("id")
                .values_list("payload", flat=True))


async def test_reserve_keeps_the_customer_email_and_refuses_malformed_ones(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    hold = await reserve(api, ("A", 1), email="  ann@example.com ")
    assert (hold["customerEmail"], hold["status"]) == ("ann@example.com", "ACTIVE")
    assert (await reserve(api, ("A", 1)))["customerEmail"] is None
    for bad in ("ann", "ann@example", "ann smith@example.com", "a@@example.com",
                "x" * 310 + "@example.com"):
        data = await api(RESERVE, {"input": {"channel": "web", "customerEmail": bad,
                                             "lines": [{"sku": "A", "quantity": 1}]}})
        assert data["reserve"]["reservation"] is None
        assert [(e["code"], e["field"]) for e in data["reserve"]["userErrors"]] == [
            ("INVALID_INPUT", ["customerEmail"])], bad
    assert (await api(CARTS))["abandonedCarts"] == []


async def test_expired_holds_without_an_order_are_abandoned_carts(unswept: Api) -> None:
    """The sweeper waits an hour here: holds past their time are abandoned carts already."""
    api = unswept
    await network(api)
    await channel(api, "shop", type="STORE")
    await stock(api, ("A", "MIL", 20), ("B", "MIL", 20))
    with clock.use(clock.ManualClock()) as time:
        start = time.now()
        ann = await reserve(api, ("A", 2), ("B", 1), ttl=60, email="ann@example.com")
        await reserve(api, ("A", 1), ttl=30)  # nobody named
        bob = await reserve(api, ("A", 1), ttl=120, email="bob@example.com")
        await place(api, ("A", 1), reservationId=bob["id"])  # consumed: bought
        gone = await reserve(api, ("B", 1), ttl=60, email="cy@example.com")
        assert (await api(RELEASE, {"id": gone["id"]}))["releaseReservation"]["userErrors"] == []
        await reserve(api, ("B", 3), ttl=90, email="dee@example.com", channel_code="shop")
        await reserve(api, ("A", 1), ttl=600, email="eve@example.com")  # still live
        time.advance(200)
        carts = (await api(CARTS))["abandonedCarts"]
        assert [(c["channel"], c["customerEmail"], c["units"], c["expiredAt"]) for c in carts] == [
            ("shop", "dee@example.com", 3, (start + timedelta(seconds=90)).isoformat()),
            ("web", "ann@example.com", 3, (start + timedelta(seconds=60)).isoformat()),
            ("web", None, 1, (start + timedelta(seconds=30)).isoformat()),
        ]
        first = carts[1]["reservation"]
        assert (first["id"], first["status"], first["customerEmail"]) == (
            ann["id"], "EXPIRED", "ann@example.com")
        assert first["lines"] == [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}]
        web = (await api(CARTS, {"channel": "web", "first": 1}))["abandonedCarts"]
        assert [c["customerEmail"] for c in web] == ["ann@example.com"]
        since = (start + timedelta(seconds=45)).isoformat()
        recent = (await api(CARTS, {"since": since}))["abandonedCarts"]
        assert [c["customerEmail"] for c in recent] == ["dee@example.com", "ann@example.com"]
        assert await expired_events() == [], "nothing swept yet"


async def test_the_sweeper_writes_one_event_per_expired_hold(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5), ("B", "MIL", 5))
    with clock.use(clock.ManualClock()) as time:
        ann = await reserve(api, ("A", 2), ("B", 1), email="ann@example.com")
        other = await reserve(api, ("B", 2))
        time.advance(60)

        async def both() -> bool:
            return len(await expired_events()) == 2

        await eventually(both, within=10)
        events = {e["reservation_id"]: e for e in await expired_events()}
    assert events[ann["id"]] == {
        "reservation_id": ann["id"], "channel": "web", "customer_email": "ann@example.com",
        "lines": [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}], "units": 3,
        "expired_at": ann["expiresAt"]}
    assert (events[other["id"]]["customer_email"], events[other["id"]]["units"]) == (None, 2)
    carts = (await api(CARTS))["abandonedCarts"]
    assert {c["reservation"]["id"] for c in carts} == {ann["id"], other["id"]}
    assert len(await expired_events()) == 2, "a hold expires once"


async def test_a_placement_that_expires_a_hold_writes_its_event(unswept: Api) -> None:
    api = unswept
    await network(api)
    await stock(api, ("A", "MIL", 2))
    with clock.use(clock.ManualClock()) as time:
        hold = await reserve(api, ("A", 2), email="ann@example.com")
        time.advance(61)
        placed = await place(api, ("A", 2))  # the expired hold is given back to this order
        assert placed["status"] == "ALLOCATED"
    assert [(e["reservation_id"], e["units"]) for e in await expired_events()] == [(hold["id"], 2)]


async def test_a_channel_limited_token_sees_its_channels_carts_only(unswept: Api) -> None:
    api = unswept
    await network(api)
    await channel(api, "shop", type="STORE")
    await stock(api, ("A", "MIL", 20))
    with clock.use(clock.ManualClock()) as time:
        await reserve(api, ("A", 1), email="web@example.com")
        await reserve(api, ("A", 1), email="shop@example.com", channel_code="shop")
        time.advance(61)
        partner = await make_token(["orders:read"], channels=["web"])
        seen = (await api(CARTS, token=partner))["abandonedCarts"]
        assert [c["customerEmail"] for c in seen] == ["web@example.com"]
        refused = await api.raw(CARTS, {"channel": "shop"}, token=partner)
        assert refused["errors"][0]["extensions"]["code"] == "UNKNOWN_CHANNEL"
        customer = await make_token(["orders:read:own"], customer_ref="c-1")
        body = await api.raw(CARTS, token=customer)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
