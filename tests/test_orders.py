"""placeOrder through GraphQL: writes, numbers, statuses, payments, idempotency, refusals."""
from __future__ import annotations

import asyncio
from typing import Any

from oms.models import Notification
from tests.conftest import make_token
from tests.helpers import positions, statements
from tests.order_helpers import (
    ORDER_FIELDS,
    PLACE,
    network,
    order_input,
    place,
    refused,
    sources,
    stock,
)
from tests.servers import eventually

ORDER = ("query($id: ID, $number: String) { order(id: $id, number: $number) { "
         + ORDER_FIELDS + " } }")


async def test_order_is_allocated_held_numbered_and_recorded(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5), ("B", "MIL", 5), ("A", "ROM", 9))
    order = await place(api, ("A", 2), ("B", 1),
                        payment={"reference": "psp-1", "amount": {"amount": "30.00",
                                                                  "currency": "EUR"}})
    assert order["number"] == "WEB-000001"
    assert order["status"] == "ALLOCATED"
    assert order["paymentStatus"] == "AUTHORIZED"
    assert order["total"] == {"amount": "30.00", "currency": "EUR"}
    assert sources(order) == {"MIL": {"A": 2, "B": 1}}
    assert [f["status"] for f in order["fulfillments"]] == ["PENDING"]
    assert order["returns"] == []
    assert [(e["type"], e["status"]) for e in order["events"]] == [
        ("ORDER_CREATED", "ALLOCATED"), ("ALLOCATED", "ALLOCATED")]
    held = await positions(api, "A")
    assert (held["MIL"]["reserved"], held["MIL"]["available"]) == (2, 3)
    assert held["ROM"]["reserved"] == 0
    again = await place(api, ("A", 1))
    assert again["number"] == "WEB-000002"
    found = await api(ORDER, {"number": "WEB-000001"})
    assert found["order"]["id"] == order["id"]
    assert (await api(ORDER, {"id": order["id"]}))["order"]["number"] == "WEB-000001"


async def test_a_payment_to_authorize_is_asked_of_the_provider_and_backorder_is_partial(
        api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 1))
    order = await place(api, ("A", 3), payment={"reference": "p", "authorized": False,
                                                "amount": {"amount": "30.00", "currency": "EUR"}})
    assert order["paymentStatus"] == "AUTHORIZED", "the built-in provider approves"
    assert order["status"] == "PARTIALLY_ALLOCATED"
    line = order["lines"][0]
    assert (line["allocatedQuantity"], line["backorderedQuantity"]) == (1, 2)
    none = await place(api, ("A", 2))
    assert none["status"] == "BACKORDERED" and none["fulfillments"] == []
    assert none["paymentStatus"] == "PENDING", "no payment given"
    assert none["events"][-1]["type"] == "BACKORDERED"


async def test_an_idempotency_key_reused_with_another_request_is_refused(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 10))
    first = await place(api, ("A", 1), idempotencyKey="k-9")
    assert await refused(api, order_input(("A", 2), idempotencyKey="k-9")) == [
        "IDEMPOTENCY_KEY_REUSED"]
    again = await place(api, ("A", 1), idempotencyKey="k-9")
    assert again["id"] == first["id"]
    assert (await positions(api, "A"))["MIL"]["reserved"] == 1


async def test_same_idempotency_key_gives_one_order_also_concurrently(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 10))
    first = await place(api, ("A", 1), idempotencyKey="k-1")
    second = await place(api, ("A", 1), idempotencyKey="k-1")
    assert second["id"] == first["id"]
    bodies = await asyncio.gather(*[
        api(PLACE, {"input": order_input(("A", 1), idempotencyKey="k-2")}) for _ in range(5)])
    ids = {b["placeOrder"]["order"]["id"] for b in bodies}
    assert len(ids) == 1
    assert (await positions(api, "A"))["MIL"]["reserved"] == 2


async def test_pickup_in_store_takes_stock_from_the_pickup_node(api: Any) -> None:
    await network(api, MIL={"type": "STORE", "canPickup": True})
    await stock(api, ("A", "MIL", 2), ("A", "TOR", 9))
    order = await place(api, ("A", 1), deliveryMethod="PICKUP_IN_STORE", shippingAddress=None,
                        pickupNodeCode="MIL")
    assert sources(order) == {"MIL": {"A": 1}} and order["pickupNode"] == {"code": "MIL"}


async def test_bad_input_is_refused_with_codes_and_nothing_written(api: Any) -> None:
    await network(api, TOR={"canPickup": False})
    await stock(api, ("A", "MIL", 5))
    await api("""mutation { upsertChannel(input: {code: "off", name: "off", type: WEB,
                 currency: "EUR", active: false}) { userErrors { code } } }""")
    assert await refused(api, order_input(("NOPE", 1))) == ["UNKNOWN_SKU"]
    assert await refused(api, order_input(("A", 0))) == ["INVALID_QUANTITY"]
    assert await refused(api, order_input(("A", 1), channel_code="off")) == ["CHANNEL_INACTIVE"]
    assert await refused(api, order_input(("A", 1), shippingAddress=None)) == ["ADDRESS_REQUIRED"]
    pickup = order_input(("A", 1), deliveryMethod="PICKUP_IN_STORE", pickupNodeCode="TOR")
    assert await refused(api, pickup) == ["PICKUP_NODE_INVALID"]
    usd = order_input(("A", 1))
    usd["lines"][0]["unitPrice"]["currency"] = "USD"
    assert await refused(api, usd) == ["CURRENCY_MISMATCH"]
    wrong_total = order_input(("A", 2), payment={"reference": "p",
                                                 "amount": {"amount": "5.00", "currency": "EUR"}})
    assert await refused(api, wrong_total) == ["TOTAL_MISMATCH"]
    shop = await make_token(["orders:write"], channels=["off"])
    assert await refused(api.as_(shop), order_input(("A", 1))) == ["UNKNOWN_CHANNEL"]
    listed = await api("{ orders { totalCount } }")
    assert listed["orders"]["totalCount"] == 0
    assert (await positions(api, "A"))["MIL"]["reserved"] == 0


LIST = """
query($first: Int) {
  orders(first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { number channel { code } lines { sku unitPrice { amount } }
            fulfillments { status node { code } lines { quantity orderLine { sku } } }
            events { type } } }
  }
}"""


async def _nothing_queued() -> bool:
    return not await Notification.filter(status="QUEUED").exists()


async def _count_queries(api: Any, first: int) -> int:
    """Statements of the request (the DataLoaders batch in tasks of their own: every task is
    heard, less the background jobs' work on their queues: the relay's on the outbox, the
    webhook and notification senders' polls)."""
    with statements(this_task_only=False) as seen:
        data = await api(LIST, {"first": first})
    assert len(data["orders"]["edges"]) == first
    return len([sql for sql in seen if not any(queue in sql for queue in BACKGROUND_QUEUES)])


BACKGROUND_QUEUES = ('"outbox_', "outbox_", '"webhook_', '"notification"', '"reservation"')


async def test_listing_orders_costs_the_same_queries_whatever_the_page_size(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 1), ("A", "TOR", 50), ("B", "ROM", 50))
    for _ in range(12):
        await place(api, ("A", 2), ("B", 1))
    # the app's notification sender works through the orders' mails meanwhile: let it finish
    await eventually(_nothing_queued, within=10)
    # the fewest of three tries: a background job's poll may fall inside one of them
    small = min([await _count_queries(api, 3) for _ in range(3)])
    assert 0 < small == min([await _count_queries(api, 12) for _ in range(3)])


async def test_orders_page_newest_first_filtered_and_scoped(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 50))
    numbers = [(await place(api, ("A", 1), customerRef=f"c{i % 2}"))["number"]
               for i in range(5)]
    page = "query($after: String, $f: OrderFilter) { orders(first: 2, after: $after, " \
           "filter: $f) { totalCount pageInfo { hasNextPage endCursor } " \
           "edges { node { number customerRef } } } }"
    got, after = [], None
    while True:
        data = (await api(page, {"after": after}))["orders"]
        assert data["totalCount"] == 5
        got += [e["node"]["number"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert got == list(reversed(numbers))
    mine = await make_token(["orders:read:own"], customer_ref="c1")
    own = (await api.as_(mine)(page, {}))["orders"]
    assert own["totalCount"] == 2 and {e["node"]["customerRef"] for e in own["edges"]} == {"c1"}
    other = (await api.as_(mine)(ORDER, {"number": numbers[0]}))["order"]
    assert other is None
    filtered = (await api(page, {"f": {"status": ["BACKORDERED"]}}))["orders"]
    assert filtered["totalCount"] == 0
    nobody = await make_token(["inventory:write"])
    body = await api.raw(page, {}, token=nobody)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_channel_scoped_tokens_see_and_place_only_on_their_channels(api: Any) -> None:
    await network(api)
    await api("""mutation { upsertChannel(input: {code: "app", name: "app", type: APP,
                 currency: "EUR"}) { userErrors { code } } }""")
    await stock(api, ("A", "MIL", 10))
    on_app = await place(api, ("A", 1), channel_code="app")
    assert on_app["number"] == "APP-000001"
    web_clerk = await make_token(["orders:write", "orders:read"], channels=["web"])
    mine = await place(api.as_(web_clerk), ("A", 1))
    assert mine["number"] == "WEB-000001"
    seen = (await api.as_(web_clerk)("{ orders { totalCount edges { node { number } } } }"))
    assert seen["orders"]["totalCount"] == 1
    assert (await api.as_(web_clerk)(ORDER, {"id": on_app["id"]}))["order"] is None
    assert (await api(ORDER, {"id": "not-a-uuid"}))["order"] is None


async def test_a_refused_query_is_a_coded_graphql_error(api: Any) -> None:
    too_many = await api.raw("query($first: Int) { orders(first: $first) { totalCount } }",
                             {"first": 201})
    assert too_many["data"] is None
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in too_many["errors"]] == [
        ("INVALID_INPUT", ["first"])]
    bad_cursor = await api.raw('query { orders(after: "nope") { totalCount } }')
    assert [e["extensions"]["code"] for e in bad_cursor["errors"]] == ["INVALID_INPUT"]
