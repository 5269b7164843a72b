"""The return policy through GraphQL: a per-channel window from delivery or pickup, and
returns rejected or cancelled without restocking or refunding anything."""
from __future__ import annotations

from typing import Any

from oms import clock
from tests.conftest import make_token
from tests.helpers import channel, node
from tests.journeys import (
    RETURN_FIELDS,
    codes,
    events,
    line_id,
    ok,
    order,
    place_paid,
    receive_return,
    request_return,
    walk,
)
from tests.order_helpers import network, stock

DAY = 86_400
REJECT = """mutation($id: ID!, $reason: String!) { rejectReturn(returnId: $id, reason: $reason) {
  return { @ } userErrors { code message field } } }""".replace("@", RETURN_FIELDS)
CANCEL = """mutation($id: ID!) { cancelReturn(returnId: $id) {
  return { @ } userErrors { code message field } } }""".replace("@", RETURN_FIELDS)
WINDOW = 'query { channel(code: "web") { returnWindowDays } }'
INVENTORY = 'query { inventory(sku: "A") { node { code } onHand } }'


async def delivered(api: Any, how: str = "deliver", **extra: Any) -> dict[str, Any]:
    """A x2 from one node, paid 20.00, delivered (or picked up) now on the clock `time`."""
    placed = await place_paid(api, ("A", 2), **extra)
    (at,) = [f["id"] for f in placed["fulfillments"]]
    steps = ("accept", "pick", "pack", "ship", "deliver") if how == "deliver" else (
        "accept", "pick", "pack", "ready", "pickedUp")
    await walk(api, at, *steps)
    return await order(api, placed["id"])


async def test_a_return_is_refused_once_the_channel_window_has_passed(api: Any) -> None:
    await network(api)
    await channel(api, "web", returnWindowDays=14)
    assert (await api(WINDOW))["channel"] == {"returnWindowDays": 14}
    await stock(api, ("A", "MIL", 10))
    with clock.use(clock.ManualClock()) as time:
        early, late = await delivered(api), await delivered(api)
        time.advance(14 * DAY - 60)
        assert (await ok(await request_return(api, early["id"], (line_id(early, "A"), 1))))[
            "return"]["status"] == "REQUESTED"
        time.advance(120)
        refused = await request_return(api, late["id"], (line_id(late, "A"), 1))
    assert refused["return"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("RETURN_WINDOW_CLOSED", ["orderId"])]
    assert "14 day(s) after delivery" in refused["userErrors"][0]["message"]
    assert (await order(api, late["id"]))["returns"] == []


async def test_the_window_runs_from_pickup_and_a_channel_without_one_never_closes(api: Any) -> None:
    await network(api)
    await node(api, "BGS", type="STORE", canPickup=True,
               location={"latitude": 45.69, "longitude": 9.67})
    await channel(api, "web", returnWindowDays=0)
    await channel(api, "shop", type="STORE")
    await stock(api, ("A", "BGS", 5), ("A", "MIL", 5))
    with clock.use(clock.ManualClock()) as time:
        picked = await delivered(api, "pickedUp", deliveryMethod="PICKUP_IN_STORE",
                                 pickupNodeCode="BGS")
        assert codes(await request_return(api, picked["id"], (line_id(picked, "A"), 1))) == []
        time.advance(1)
        assert codes(await request_return(api, picked["id"], (line_id(picked, "A"), 1))) == [
            "RETURN_WINDOW_CLOSED"]
        other = await delivered(api, channel_code="shop")
        time.advance(3650 * DAY)
        assert codes(await request_return(api, other["id"], (line_id(other, "A"), 2))) == []


async def test_a_channel_refuses_a_negative_window(api: Any) -> None:
    await network(api)
    made = await api("""mutation { upsertChannel(input: {code: "web", name: "web", type: WEB,
      currency: "EUR", returnWindowDays: -1}) { channel { code } userErrors { code field } } }""")
    assert made["upsertChannel"] == {"channel": None, "userErrors": [
        {"code": "INVALID_INPUT", "field": ["returnWindowDays"]}]}


async def test_rejected_and_cancelled_returns_restock_and_refund_nothing(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    placed = await delivered(api, customerRef="cust-9")
    a = line_id(placed, "A")
    first = (await ok(await request_return(api, placed["id"], (a, 2))))["return"]
    assert codes(await request_return(api, placed["id"], (a, 1))) == ["OVER_RETURN"]
    rejected = (await ok((await api(REJECT, {"id": first["id"], "reason": "worn"}))[
        "rejectReturn"]))["return"]
    assert rejected["status"] == "REJECTED" and rejected["refund"] is None
    blank = (await api(REJECT, {"id": first["id"], "reason": " "}))["rejectReturn"]
    assert [(e["code"], e["field"]) for e in blank["userErrors"]] == [("INVALID_INPUT", ["reason"])]
    assert codes((await api(REJECT, {"id": first["id"], "reason": "again"}))["rejectReturn"]) == [
        "INVALID_TRANSITION"]
    assert codes(await receive_return(api, first["id"], "MIL", (a, 2, "RESTOCK"))) == [
        "INVALID_TRANSITION"]

    customer = await make_token(["orders:read:own"], customer_ref="cust-9")
    stranger = await make_token(["orders:read:own"], customer_ref="cust-8")
    second = (await ok(await request_return(api, placed["id"], (a, 1))))["return"]
    assert codes((await api(CANCEL, {"id": second["id"]}, token=stranger))["cancelReturn"]) == [
        "NOT_FOUND"]
    cancelled = (await ok((await api(CANCEL, {"id": second["id"]}, token=customer))[
        "cancelReturn"]))["return"]
    assert cancelled["status"] == "CANCELLED"
    assert codes((await api(CANCEL, {"id": second["id"]}))["cancelReturn"]) == [
        "INVALID_TRANSITION"]

    final = await order(api, placed["id"])
    assert final["paymentStatus"] == "CAPTURED" and final["status"] == "DELIVERED"
    assert [line["returnedQuantity"] for line in final["lines"]] == [0]
    assert (await api(INVENTORY))["inventory"] == [{"node": {"code": "MIL"}, "onHand": 3}]
    assert events(final)[-4:] == ["RETURN_REQUESTED", "RETURN_REJECTED", "RETURN_REQUESTED",
                                  "RETURN_CANCELLED"]
    assert codes(await request_return(api, placed["id"], (a, 2))) == []
