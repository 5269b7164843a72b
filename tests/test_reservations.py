"""Cart holds through GraphQL: reserve, release, consume by placeOrder, enforced expiry."""
from __future__ import annotations

import asyncio
from typing import Any

from tests.helpers import available, positions
from tests.order_helpers import PLACE, network, order_input, place, stock

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


async def test_expired_hold_stops_counting_at_once_and_is_swept(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 3))
    hold = await reserve(api, ("A", 2), ttl=1)
    assert (await available(api, "web", "A"))["available"] == 1
    await asyncio.sleep(1.2)
    assert (await available(api, "web", "A"))["available"] == 3
    late = await api(PLACE, {"input": order_input(("A", 1), reservationId=hold["id"])})
    codes = [e["code"] for e in late["placeOrder"]["userErrors"]]
    assert codes == ["RESERVATION_EXPIRED"] and late["placeOrder"]["order"] is None
    for _ in range(40):
        if (await positions(api, "A"))["MIL"]["reserved"] == 0:
            break
        await asyncio.sleep(0.2)
    assert (await positions(api, "A"))["MIL"]["reserved"] == 0
    swept = (await api(RELEASE, {"id": hold["id"]}))["releaseReservation"]
    assert swept["userErrors"] == [{"code": "RESERVATION_EXPIRED"}]
