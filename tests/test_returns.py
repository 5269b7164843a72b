"""Returns through GraphQL: request what was delivered, receive in a store with a disposition
per line, refund once; every bad input refused with a stable code and nothing written."""
from __future__ import annotations

from typing import Any

from tests.conftest import make_token
from tests.helpers import available, by_node, channel, node, positions
from tests.journeys import (
    RETURN,
    codes,
    events,
    fulfillment_at,
    line_id,
    ok,
    order,
    place_paid,
    receive_return,
    refund_return,
    request_return,
    walk,
)
from tests.order_helpers import network, stock

RETURN_COUNT = "query($id: ID!) { order(id: $id) { returns { id } } }"


async def delivered_order(api: Any, **extra: Any) -> dict[str, Any]:
    """A (x1) and B (x2) shipped from MIL and delivered, paid 30.00; store BGS and channel shop."""
    await network(api)
    await node(api, "BGS", type="STORE", canPickup=True,
               location={"latitude": 45.69, "longitude": 9.67})
    await channel(api, "shop", type="STORE")
    await stock(api, ("A", "MIL", 5), ("B", "MIL", 5))
    placed = await place_paid(api, ("A", 1), ("B", 2), **extra)
    await walk(api, fulfillment_at(placed, "MIL")["id"], "accept", "pick", "pack", "ship",
               "deliver")
    return await order(api, placed["id"])


async def test_return_in_store_restocks_there_scraps_the_rest_and_refunds_once(api: Any) -> None:
    placed = await delivered_order(api)
    a, b = line_id(placed, "A"), line_id(placed, "B")
    assert by_node(await available(api, "web", "A")).get("BGS", 0) == 0

    requested = (await ok(await request_return(api, placed["id"], (a, 1), (b, 2),
                                               channel="shop")))["return"]
    assert requested["number"] == "RMA-000001"
    assert requested["status"] == "REQUESTED"
    assert [(x["sku"], x["quantity"], x["disposition"]) for x in requested["lines"]] == [
        ("A", 1, None), ("B", 2, None)]

    received = (await ok(await receive_return(api, requested["id"], "BGS", (a, 1, "RESTOCK"),
                                              (b, 2, "SCRAP"))))["return"]
    assert received["status"] == "RECEIVED"
    assert received["receivedAt"] == {"code": "BGS"}
    assert [x["disposition"] for x in received["lines"]] == ["RESTOCK", "SCRAP"]
    assert by_node(await available(api, "web", "A"))["BGS"] == 1
    assert by_node(await available(api, "web", "B")).get("BGS", 0) == 0
    bgs_b = (await api("query { inventory(sku: \"B\") { node { code } onHand scrapped } }"))
    assert {"node": {"code": "BGS"}, "onHand": 0, "scrapped": 2} in bgs_b["inventory"]
    assert received["order"]["status"] == "RETURNED"
    assert received["order"]["paymentStatus"] == "CAPTURED"

    refunded = (await ok(await refund_return(api, requested["id"])))["return"]
    assert refunded["status"] == "REFUNDED"
    assert refunded["refund"] == {"amount": "30.00", "currency": "EUR"}
    assert refunded["order"]["paymentStatus"] == "REFUNDED"
    assert codes(await refund_return(api, requested["id"])) == ["ALREADY_REFUNDED"]

    final = await order(api, placed["id"])
    assert {line["sku"]: line["returnedQuantity"] for line in final["lines"]} == {"A": 1, "B": 2}
    assert events(final) == [
        "ORDER_CREATED", "ALLOCATED", "FULFILLMENT_ACCEPTED", "FULFILLMENT_PICKED",
        "FULFILLMENT_PACKED", "FULFILLMENT_SHIPPED", "PAYMENT_CAPTURED",
        "FULFILLMENT_DELIVERED", "DELIVERED", "RETURN_REQUESTED", "RETURN_RECEIVED", "REFUNDED",
    ]
    assert (await api(RETURN, {"id": requested["id"]}))["return"]["number"] == "RMA-000001"


async def test_a_partial_return_refunds_what_came_back_and_numbers_go_on(api: Any) -> None:
    placed = await delivered_order(api)
    b = line_id(placed, "B")
    first = (await ok(await request_return(api, placed["id"], (b, 2))))["return"]
    received = (await ok(await receive_return(api, first["id"], "MIL",
                                              (b, 1, "RETURN_TO_VENDOR"))))["return"]
    assert received["order"]["status"] == "DELIVERED"
    refunded = (await ok(await refund_return(api, first["id"])))["return"]
    assert refunded["refund"]["amount"] == "10.00"
    assert refunded["order"]["paymentStatus"] == "PARTIALLY_REFUNDED"
    assert (await positions(api, "B"))["MIL"]["onHand"] == 3
    second = (await ok(await request_return(api, placed["id"], (b, 1))))["return"]
    assert second["number"] == "RMA-000002"


async def test_bad_returns_are_refused_with_stable_codes_and_write_nothing(api: Any) -> None:
    placed = await delivered_order(api)
    a, b = line_id(placed, "A"), line_id(placed, "B")
    before = await order(api, placed["id"])

    assert codes(await request_return(api, placed["id"], (a, 2))) == ["OVER_RETURN"]
    assert codes(await request_return(api, placed["id"], (a, 0))) == ["INVALID_QUANTITY"]
    assert codes(await request_return(api, placed["id"], ("nope", 1))) == ["NOT_FOUND"]
    assert codes(await request_return(api, "nope", (a, 1))) == ["NOT_FOUND"]
    assert codes(await request_return(api, placed["id"], (a, 1), channel="nope")) == [
        "UNKNOWN_CHANNEL"]
    assert await order(api, placed["id"]) == before

    rma = (await ok(await request_return(api, placed["id"], (b, 1))))["return"]
    assert codes(await request_return(api, placed["id"], (b, 2))) == ["OVER_RETURN"]
    assert codes(await refund_return(api, rma["id"])) == ["INVALID_TRANSITION"]
    assert codes(await receive_return(api, rma["id"], "BGS", (b, 2, "RESTOCK"))) == [
        "OVER_RECEIVE"]
    assert codes(await receive_return(api, rma["id"], "NOWHERE", (b, 1, "RESTOCK"))) == [
        "UNKNOWN_NODE"]
    assert codes(await receive_return(api, rma["id"], "BGS", (a, 1, "RESTOCK"))) == ["NOT_FOUND"]
    assert codes(await receive_return(api, "nope", "BGS", (b, 1, "RESTOCK"))) == ["NOT_FOUND"]
    assert codes(await refund_return(api, "nope")) == ["NOT_FOUND"]
    still = (await api(RETURN, {"id": rma["id"]}))["return"]
    assert (still["status"], still["receivedAt"]) == ("REQUESTED", None)
    assert "BGS" not in await positions(api, "B")
    assert len(events(await order(api, placed["id"]))) == len(events(before)) + 1


async def test_undelivered_units_cannot_be_returned(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    placed = await place_paid(api, ("A", 1))
    a = line_id(placed, "A")
    assert codes(await request_return(api, placed["id"], (a, 1))) == ["OVER_RETURN"]
    await walk(api, fulfillment_at(placed, "MIL")["id"], "accept", "pick", "pack", "ship")
    assert codes(await request_return(api, placed["id"], (a, 1))) == ["OVER_RETURN"]
    assert (await api(RETURN_COUNT, {"id": placed["id"]}))["order"]["returns"] == []


async def test_a_customer_may_return_its_own_order_only(api: Any) -> None:
    placed = await delivered_order(api, customerRef="ann")
    a = line_id(placed, "A")
    ann = api.as_(await make_token(["orders:read:own"], customer_ref="ann"))
    bob = api.as_(await make_token(["orders:read:own"], customer_ref="bob"))
    assert codes(await request_return(bob, placed["id"], (a, 1))) == ["NOT_FOUND"]
    rma = (await ok(await request_return(ann, placed["id"], (a, 1))))["return"]
    assert rma["status"] == "REQUESTED"
    body = await ann.raw("mutation($id: ID!) { refundReturn(returnId: $id) { userErrors "
                         "{ code } } }", {"id": rma["id"]})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_store_token_returns_a_web_order_in_its_own_channel(api: Any) -> None:
    placed = await delivered_order(api)
    a = line_id(placed, "A")
    clerk = api.as_(await make_token(["returns:write"], channels=["shop"], nodes=["BGS"]))
    assert codes(await request_return(clerk, placed["id"], (a, 1))) == ["NOT_FOUND"]
    rma = (await ok(await request_return(clerk, placed["id"], (a, 1), channel="shop")))["return"]
    assert codes(await receive_return(clerk, rma["id"], "MIL", (a, 1, "RESTOCK"))) == [
        "NODE_NOT_ALLOWED"]
    received = await ok(await receive_return(clerk, rma["id"], "BGS", (a, 1, "RESTOCK")))
    assert received["return"]["receivedAt"] == {"code": "BGS"}


async def test_the_channel_a_return_came_in_by_is_shown_only_to_who_sees_it(api: Any) -> None:
    placed = await delivered_order(api)
    await ok(await request_return(api, placed["id"], (line_id(placed, "A"), 1), channel="shop"))
    seen = {}
    for name, limits in (("web", ["web"]), ("web+shop", ["web", "shop"]), ("unlimited", [])):
        reader = api.as_(await make_token(["orders:read"], channels=limits))
        asked = next(e for e in (await order(reader, placed["id"]))["events"]
                     if e["type"] == "RETURN_REQUESTED")
        seen[name] = asked["data"].get("channel", "not shown")
        assert asked["data"]["number"] == "RMA-000001", name
    assert seen == {"web": "not shown", "web+shop": "shop", "unlimited": "shop"}
