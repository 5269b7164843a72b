"""Fulfillment journeys through GraphQL: node work, shipping, pickup, rejection, cancellation."""
from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import make_token
from tests.helpers import channel, node, positions
from tests.journeys import (
    cancel,
    codes,
    events,
    fulfillment_at,
    line_id,
    ok,
    order,
    place_paid,
    reject,
    ship,
    step,
    walk,
)
from tests.order_helpers import network, stock


async def test_ship_to_home_split_over_two_nodes_is_delivered_and_captured(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 3), ("B", "TOR", 2))
    placed = await place_paid(api, ("A", 2), ("B", 1))
    assert placed["paymentStatus"] == "AUTHORIZED"
    mil, tor = fulfillment_at(placed, "MIL"), fulfillment_at(placed, "TOR")

    shipped = await walk(api, mil["id"], "accept", "pick", "pack", "ship")
    assert shipped["fulfillment"]["status"] == "SHIPPED"
    assert shipped["fulfillment"]["carrier"] == "BRT"
    assert shipped["order"]["status"] == "PARTIALLY_SHIPPED"
    assert shipped["order"]["paymentStatus"] == "PARTIALLY_CAPTURED"
    assert (await positions(api, "A"))["MIL"] | {"node": None} == {
        "sku": "A", "node": None, "onHand": 1, "reserved": 0, "safetyStock": 0, "available": 1}

    await walk(api, tor["id"], "accept", "pick", "pack")
    assert (await order(api, placed["id"]))["status"] == "PARTIALLY_SHIPPED"
    shipped = await walk(api, tor["id"], "ship")
    assert shipped["order"]["status"] == "SHIPPED"
    assert shipped["order"]["paymentStatus"] == "CAPTURED"
    assert (await positions(api, "B"))["TOR"]["onHand"] == 1

    await walk(api, mil["id"], "deliver")
    done = await walk(api, tor["id"], "deliver")
    final = done["order"]
    assert final["status"] == "DELIVERED"
    assert {line["sku"]: (line["shippedQuantity"], line["deliveredQuantity"])
            for line in final["lines"]} == {"A": (2, 2), "B": (1, 1)}
    assert events(final) == [
        "ORDER_CREATED", "ALLOCATED",
        "FULFILLMENT_ACCEPTED", "FULFILLMENT_PICKED", "FULFILLMENT_PACKED",
        "FULFILLMENT_SHIPPED", "PAYMENT_CAPTURED",
        "FULFILLMENT_ACCEPTED", "FULFILLMENT_PICKED", "FULFILLMENT_PACKED",
        "FULFILLMENT_SHIPPED", "PAYMENT_CAPTURED",
        "FULFILLMENT_DELIVERED", "FULFILLMENT_DELIVERED", "DELIVERED",
    ]
    captured = [e["data"]["amount"] for e in final["events"] if e["type"] == "PAYMENT_CAPTURED"]
    assert captured == ["20.00", "10.00"]


async def bopis_network(api: Any) -> None:
    await network(api, MIL={"type": "STORE", "canPickup": True})
    await stock(api, ("A", "MIL", 2), ("A", "TOR", 5))


async def test_buy_online_pick_up_in_store_is_picked_up_and_captured(api: Any) -> None:
    await bopis_network(api)
    placed = await place_paid(api, ("A", 1), deliveryMethod="PICKUP_IN_STORE",
                              pickupNodeCode="MIL")
    store = fulfillment_at(placed, "MIL")
    accepted = await walk(api, store["id"], "accept")
    assert accepted["order"]["status"] == "IN_FULFILLMENT"
    ready = await walk(api, store["id"], "pick", "pack", "ready")
    assert ready["fulfillment"]["status"] == "READY_FOR_PICKUP"
    assert (await positions(api, "A"))["MIL"]["reserved"] == 1

    collected = await walk(api, store["id"], "pickedUp")
    final = collected["order"]
    assert collected["fulfillment"]["status"] == "PICKED_UP"
    assert final["status"] == "DELIVERED"
    assert final["paymentStatus"] == "CAPTURED"
    assert (final["lines"][0]["shippedQuantity"], final["lines"][0]["deliveredQuantity"]) == (1, 1)
    assert {k: (await positions(api, "A"))["MIL"][k] for k in ("onHand", "reserved")} == {
        "onHand": 1, "reserved": 0}
    assert events(final) == [
        "ORDER_CREATED", "ALLOCATED", "FULFILLMENT_ACCEPTED", "FULFILLMENT_PICKED",
        "FULFILLMENT_PACKED", "FULFILLMENT_READY_FOR_PICKUP", "PICKED_UP", "PAYMENT_CAPTURED",
    ]


async def test_a_pickup_fulfillment_cannot_be_shipped_and_nothing_changes(api: Any) -> None:
    await bopis_network(api)
    placed = await place_paid(api, ("A", 1), deliveryMethod="PICKUP_IN_STORE",
                              pickupNodeCode="MIL")
    store = fulfillment_at(placed, "MIL")
    await walk(api, store["id"], "accept", "pick", "pack")
    before = await order(api, placed["id"])
    refused = await ship(api, store["id"])
    assert codes(refused) == ["WRONG_DELIVERY_METHOD"]
    assert refused["fulfillment"] is None
    after = await order(api, placed["id"])
    assert after == before
    assert fulfillment_at(after, "MIL")["status"] == "PACKED"
    assert (await positions(api, "A"))["MIL"]["onHand"] == 2


async def test_a_store_rejection_is_sourced_again_elsewhere_then_backordered(api: Any) -> None:
    await network(api, MIL={"type": "STORE"})
    await stock(api, ("A", "MIL", 1), ("A", "TOR", 1))
    placed = await place_paid(api, ("A", 1))
    store = fulfillment_at(placed, "MIL")
    await walk(api, store["id"], "accept")

    moved = await ok(await reject(api, store["id"], "shelf empty"))
    assert moved["fulfillment"]["status"] == "REJECTED"
    after = moved["order"]
    assert fulfillment_at(after, "TOR")["status"] == "PENDING"
    assert after["status"] == "ALLOCATED"
    stock_now = await positions(api, "A")
    assert (stock_now["MIL"]["reserved"], stock_now["TOR"]["reserved"]) == (0, 1)
    rejected = next(e for e in after["events"] if e["type"] == "FULFILLMENT_REJECTED")
    assert rejected["message"] == "MIL rejected: shelf empty"
    assert rejected["data"]["reason"] == "shelf empty"

    tor = fulfillment_at(after, "TOR")
    waiting = (await ok(await reject(api, tor["id"], "forklift broken")))["order"]
    assert waiting["status"] == "BACKORDERED"
    assert waiting["lines"][0]["backorderedQuantity"] == 1
    assert (await positions(api, "A"))["TOR"]["reserved"] == 0
    assert events(waiting) == [
        "ORDER_CREATED", "ALLOCATED", "FULFILLMENT_ACCEPTED", "FULFILLMENT_REJECTED", "ALLOCATED",
        "FULFILLMENT_REJECTED", "BACKORDERED",
    ]
    assert waiting["events"][-1]["data"]["excluded_nodes"] == ["MIL", "TOR"]


async def test_a_rejected_node_is_not_chosen_again_even_with_stock(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5), ("A", "ROM", 5))
    placed = await place_paid(api, ("A", 1))
    mil = fulfillment_at(placed, "MIL")
    rom = fulfillment_at((await ok(await reject(api, mil["id"], "no staff")))["order"], "ROM")
    final = (await ok(await reject(api, rom["id"], "flooded")))["order"]
    assert final["status"] == "BACKORDERED"
    assert {f["node"]["code"]: f["status"] for f in final["fulfillments"]} == {
        "MIL": "REJECTED", "ROM": "REJECTED"}


async def test_partial_cancellation_releases_holds_and_voids_that_amount(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5), ("B", "MIL", 5))
    placed = await place_paid(api, ("A", 2), ("B", 1))
    b_line = line_id(placed, "B")
    cancelled = await cancel(api, placed["id"], "changed mind", [b_line])
    assert cancelled["userErrors"] == []
    after = cancelled["order"]
    assert {line["sku"]: line["cancelledQuantity"] for line in after["lines"]} == {"A": 0, "B": 1}
    assert fulfillment_at(after, "MIL")["lines"] == [
        {"sku": "A", "quantity": 2, "orderLine": {"id": line_id(placed, "A"), "sku": "A"}}]
    assert (await positions(api, "B"))["MIL"]["reserved"] == 0
    assert after["paymentStatus"] == "AUTHORIZED"
    assert after["status"] == "ALLOCATED"

    shipped = await walk(api, fulfillment_at(after, "MIL")["id"], "accept", "pick", "pack",
                         "ship")
    assert shipped["order"]["status"] == "SHIPPED"
    assert shipped["order"]["paymentStatus"] == "CAPTURED"
    assert events(shipped["order"]) == [
        "ORDER_CREATED", "ALLOCATED", "LINES_CANCELLED", "PAYMENT_VOIDED",
        "FULFILLMENT_ACCEPTED", "FULFILLMENT_PICKED", "FULFILLMENT_PACKED",
        "FULFILLMENT_SHIPPED", "PAYMENT_CAPTURED",
    ]

    again = await cancel(api, placed["id"], "too late", [line_id(placed, "A")])
    assert codes(again) == ["NOT_CANCELLABLE"]
    assert codes(await cancel(api, placed["id"], "too late")) == ["NOT_CANCELLABLE"]
    assert events(await order(api, placed["id"])) == events(shipped["order"])


async def test_cancelling_a_whole_order_cancels_its_fulfillments_and_voids(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 1), ("A", "TOR", 1))
    placed = await place_paid(api, ("A", 3))
    assert placed["status"] == "PARTIALLY_ALLOCATED"
    await walk(api, fulfillment_at(placed, "MIL")["id"], "accept", "pick")
    done = await cancel(api, placed["id"])
    final = (await ok(done))["order"]
    assert final["status"] == "CANCELLED"
    assert final["paymentStatus"] == "VOIDED"
    assert {f["status"] for f in final["fulfillments"]} == {"CANCELLED"}
    assert final["lines"][0]["cancelledQuantity"] == 3
    assert {code: p["reserved"] for code, p in (await positions(api, "A")).items()} == {
        "MIL": 0, "TOR": 0}
    assert events(final)[-2:] == ["CANCELLED", "PAYMENT_VOIDED"]
    assert codes(await cancel(api, placed["id"])) == ["NOT_CANCELLABLE"]


async def test_a_shipped_partially_order_cancels_only_what_is_left(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 1), ("B", "TOR", 1))
    placed = await place_paid(api, ("A", 1), ("B", 1))
    await walk(api, fulfillment_at(placed, "MIL")["id"], "accept", "pick", "pack", "ship")
    final = (await ok(await cancel(api, placed["id"])))["order"]
    assert final["status"] == "SHIPPED"
    assert final["paymentStatus"] == "CAPTURED"
    assert {line["sku"]: line["cancelledQuantity"] for line in final["lines"]} == {"A": 0, "B": 1}
    assert fulfillment_at(final, "TOR")["status"] == "CANCELLED"


# Every mutation a node can send, the state it leads to for a ship-to-address order,
# and what a fulfillment in each state must answer.
SHIP_PATH = ["accept", "pick", "pack", "ship", "deliver"]
ALL_STEPS = ["accept", "pick", "pack", "ready", "ship", "deliver", "pickedUp", "reject"]
NEXT = {"PENDING": {"accept", "reject"}, "ACCEPTED": {"pick", "reject"}, "PICKED": {"pack"},
        "PACKED": {"ship"}, "SHIPPED": {"deliver"}, "DELIVERED": set()}
PICKUP_ONLY = {"ready", "pickedUp"}


async def _try(api: Any, name: str, fulfillment_id: str) -> dict[str, Any]:
    if name == "ship":
        return await ship(api, fulfillment_id)
    if name == "reject":
        return await reject(api, fulfillment_id, "cannot")
    return await step(api, name, fulfillment_id)


async def test_every_illegal_transition_is_refused_and_changes_nothing(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    placed = await place_paid(api, ("A", 1))
    fid = fulfillment_at(placed, "MIL")["id"]
    status = "PENDING"
    for move in [*SHIP_PATH, None]:
        before = await order(api, placed["id"])
        for name in ALL_STEPS:
            if name in NEXT[status]:
                continue
            refused = await _try(api, name, fid)
            expected = "WRONG_DELIVERY_METHOD" if name in PICKUP_ONLY else "INVALID_TRANSITION"
            assert codes(refused) == [expected], (status, name, refused["userErrors"])
            if expected == "INVALID_TRANSITION":
                assert status in refused["userErrors"][0]["message"]
        assert await order(api, placed["id"]) == before, status
        if move is not None:
            status = (await walk(api, fid, move))["fulfillment"]["status"]


async def test_unknown_ids_and_other_nodes_fulfillments_are_not_found(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    placed = await place_paid(api, ("A", 1))
    fid = fulfillment_at(placed, "MIL")["id"]
    for bad in ("nope", "00000000-0000-0000-0000-000000000000"):
        assert codes(await step(api, "accept", bad)) == ["NOT_FOUND"]
        assert codes(await cancel(api, bad)) == ["NOT_FOUND"]
    assert codes(await cancel(api, placed["id"], lines=["nope"])) == ["NOT_FOUND"]
    tor_only = api.as_(await make_token(["fulfillment:write"], nodes=["TOR"]))
    assert codes(await step(tor_only, "accept", fid)) == ["NOT_FOUND"]
    await channel(api, "app", type="APP")
    app_only = api.as_(await make_token(["fulfillment:write", "orders:write"], channels=["app"]))
    assert codes(await step(app_only, "accept", fid)) == ["NOT_FOUND"]
    assert codes(await cancel(app_only, placed["id"])) == ["NOT_FOUND"]
    mil_only = api.as_(await make_token(["fulfillment:write"], nodes=["MIL"]))
    assert (await ok(await step(mil_only, "accept", fid)))["fulfillment"]["status"] == "ACCEPTED"
    body = await api.raw("mutation($id: ID!) { acceptFulfillment(fulfillmentId: $id) "
                         "{ userErrors { code } } }", {"id": fid},
                         token=await make_token(["orders:write"]))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_node_can_be_added_later_and_take_rejected_work(api: Any) -> None:
    await network(api, ("MIL",))
    await stock(api, ("A", "MIL", 1))
    placed = await place_paid(api, ("A", 1))
    await node(api, "TOR", location={"latitude": 45.07, "longitude": 7.69})
    await stock(api, ("A", "TOR", 1))
    moved = (await ok(await reject(api, fulfillment_at(placed, "MIL")["id"], "closed")))["order"]
    assert fulfillment_at(moved, "TOR")["status"] == "PENDING"


async def test_the_same_parcel_shipped_twice_at_once_leaves_the_node_once(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    placed = await place_paid(api, ("A", 2))
    fid = fulfillment_at(placed, "MIL")["id"]
    await walk(api, fid, "accept", "pick", "pack")
    first, second = await asyncio.gather(ship(api, fid, tracking="T1"), ship(api, fid,
                                                                             tracking="T2"))
    assert sorted([codes(first), codes(second)]) == [[], ["INVALID_TRANSITION"]]
    assert {k: (await positions(api, "A"))["MIL"][k] for k in ("onHand", "reserved")} == {
        "onHand": 3, "reserved": 0}
    final = await order(api, placed["id"])
    assert events(final).count("FULFILLMENT_SHIPPED") == 1
    assert events(final).count("PAYMENT_CAPTURED") == 1


async def test_stock_arriving_serves_a_rejected_backorder_but_never_at_the_rejecting_node(
        api: Any) -> None:
    await network(api, ("MIL", "TOR"))
    await stock(api, ("A", "MIL", 1))
    placed = await place_paid(api, ("A", 1))
    waiting = (await ok(await reject(api, fulfillment_at(placed, "MIL")["id"], "broken")))
    assert waiting["order"]["status"] == "BACKORDERED"
    await stock(api, ("A", "MIL", 9))
    assert (await order(api, placed["id"]))["status"] == "BACKORDERED"
    await stock(api, ("A", "TOR", 1))
    served = await order(api, placed["id"])
    assert served["status"] == "ALLOCATED"
    tor = fulfillment_at(served, "TOR")
    final = (await walk(api, tor["id"], "accept", "pick", "pack", "ship", "deliver"))["order"]
    assert final["status"] == "DELIVERED"
    assert events(final)[:6] == ["ORDER_CREATED", "ALLOCATED", "FULFILLMENT_REJECTED",
                                 "BACKORDERED", "BACKORDER_RELEASED", "FULFILLMENT_ACCEPTED"]


async def test_an_uncollected_pickup_is_cancelled_and_its_store_hold_released(api: Any) -> None:
    await bopis_network(api)
    placed = await place_paid(api, ("A", 2), deliveryMethod="PICKUP_IN_STORE",
                              pickupNodeCode="MIL")
    store = fulfillment_at(placed, "MIL")
    await walk(api, store["id"], "accept", "pick", "pack", "ready")
    final = (await ok(await cancel(api, placed["id"], "not collected in 7 days")))["order"]
    assert (final["status"], final["paymentStatus"]) == ("CANCELLED", "VOIDED")
    assert fulfillment_at(final, "MIL")["status"] == "CANCELLED"
    assert {k: (await positions(api, "A"))["MIL"][k] for k in ("onHand", "reserved")} == {
        "onHand": 2, "reserved": 0}
    assert codes(await step(api, "pickedUp", store["id"])) == ["INVALID_TRANSITION"]
    assert events(final)[-3:] == ["FULFILLMENT_READY_FOR_PICKUP", "CANCELLED", "PAYMENT_VOIDED"]


async def test_a_pickup_store_rejecting_leaves_the_order_waiting_for_that_store(api: Any) -> None:
    await bopis_network(api)
    placed = await place_paid(api, ("A", 1), deliveryMethod="PICKUP_IN_STORE",
                              pickupNodeCode="MIL")
    waiting = (await ok(await reject(api, fulfillment_at(placed, "MIL")["id"], "damaged")))
    assert waiting["order"]["status"] == "BACKORDERED"
    assert [f["node"]["code"] for f in waiting["order"]["fulfillments"]] == ["MIL"]
    assert (await positions(api, "A"))["TOR"]["reserved"] == 0
