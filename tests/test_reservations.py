"""Cart holds through GraphQL: reserve, release, consume by placeOrder, enforced expiry."""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from oms import clock
from oms.app import create_app
from oms.config import Settings
from tests.conftest import Api
from tests.helpers import available, positions
from tests.order_helpers import PLACE, network, order_input, place, stock
from tests.servers import eventually

RESERVE = """
mutation($input: ReserveInput!) {
  reserve(input: $input) {
    reservation { id channel status expiresAt lines { sku quantity } }
    userErrors { code message field }
  }
}"""
RELEASE = """
mutation($id: ID!) {
  releaseReservation(id: $id) { reservation { id status } userErrors { code } }
}"""


async def reserve(api: Any, *lines: tuple[str, int], ttl: int = 900) -> dict[str, Any]:
    data = await api(RESERVE, {"input": {"channel": "web", "ttlSeconds": ttl, "lines": [
        {"sku": sku, "quantity": qty} for sku, qty in lines]}})
    assert data["reserve"]["userErrors"] == [], data
    return data["reserve"]["reservation"]


async def test_reserve_holds_and_release_gives_back(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 3), ("A", "TOR", 3))
    hold = await reserve(api, ("A", 4))
    assert hold["lines"] == [{"sku": "A", "quantity": 4}] and hold["status"] == "ACTIVE"
    assert (await available(api, "web", "A"))["available"] == 2
    released = (await api(RELEASE, {"id": hold["id"]}))["releaseReservation"]
    assert released["reservation"]["status"] == "RELEASED"
    assert (await available(api, "web", "A"))["available"] == 6
    twice = (await api(RELEASE, {"id": hold["id"]}))["releaseReservation"]
    assert twice["userErrors"] == [{"code": "RESERVATION_NOT_ACTIVE"}]


async def test_reserve_more_than_promisable_is_refused_holding_nothing(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 3))
    data = await api(RESERVE, {"input": {"channel": "web", "lines": [
        {"sku": "A", "quantity": 4}, {"sku": "X", "quantity": 1}]}})
    assert sorted(e["code"] for e in data["reserve"]["userErrors"]) == ["UNKNOWN_SKU"]
    data = await api(RESERVE, {"input": {"channel": "web", "lines": [{"sku": "A", "quantity": 4}]}})
    assert [e["code"] for e in data["reserve"]["userErrors"]] == ["INSUFFICIENT_STOCK"]
    assert (await positions(api, "A"))["MIL"]["reserved"] == 0


async def test_order_consumes_the_reservation(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 3))
    hold = await reserve(api, ("A", 3))
    assert (await available(api, "web", "A"))["available"] == 0
    order = await place(api, ("A", 3), reservationId=hold["id"])
    assert order["status"] == "ALLOCATED"
    assert (await positions(api, "A"))["MIL"]["reserved"] == 3
    again = (await api(RELEASE, {"id": hold["id"]}))["releaseReservation"]
    assert again["userErrors"] == [{"code": "RESERVATION_NOT_ACTIVE"}]
    assert (await positions(api, "A"))["MIL"]["reserved"] == 3


@pytest.fixture
async def unswept_api(database: Settings, admin_token: str) -> AsyncIterator[Api]:
    """An app whose background sweeper waits an hour: expired holds stay unswept."""
    app = create_app(replace(database, reservation_sweep_seconds=3600), manage_db=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as client:
            yield Api(client, admin_token)


async def test_expired_hold_stops_counting_at_once(unswept_api: Api) -> None:
    api = unswept_api
    await network(api)
    await stock(api, ("A", "MIL", 3))
    with clock.use(clock.ManualClock()) as time:
        hold = await reserve(api, ("A", 2), ttl=60)
        time.advance(59)
        assert (await available(api, "web", "A"))["available"] == 1
        time.advance(1)
        assert (await positions(api, "A"))["MIL"]["reserved"] == 2, "not swept"
        assert (await available(api, "web", "A"))["available"] == 3
        late = await api(PLACE, {"input": order_input(("A", 1), reservationId=hold["id"])})
        codes = [e["code"] for e in late["placeOrder"]["userErrors"]]
        assert codes == ["RESERVATION_EXPIRED"] and late["placeOrder"]["order"] is None


async def test_the_sweeper_gives_expired_holds_back(api: Api) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 3))
    with clock.use(clock.ManualClock()) as time:
        hold = await reserve(api, ("A", 2), ttl=60)
        time.advance(60)

        async def swept() -> bool:
            return (await positions(api, "A"))["MIL"]["reserved"] == 0

        await eventually(swept, within=10)
    swept = (await api(RELEASE, {"id": hold["id"]}))["releaseReservation"]
    assert swept["userErrors"] == [{"code": "RESERVATION_EXPIRED"}]
