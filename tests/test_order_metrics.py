"""orderMetrics through GraphQL: a scripted day of orders placed on a ManualClock (split,
backordered and released, rejected and re-sourced, cancelled, shipped, delivered, picked up,
returned with reasons), and every figure worked out by hand from the script.

The day is T0 .. T0 + 24 h. Nodes (order_helpers.network): MIL (also a pickup point, 10
fulfillments a day), TOR, ROM, NAP; every ship-to order goes to Bergamo. Stock: A only at
MIL, B only at TOR, C known but at none (until 2 arrive at TOR), R at ROM and NAP. Orders
(EUR 10.00 a unit on web; O6 is CHF 25.00 on the store channel `shop`):

  O0  -1 h  web  A x1        MIL, left open (before the window)
  O1   0 h  web  A x2        MIL; shipped 3 h, delivered; 1 A back "too small" (received)
  O2   1 h  web  A x1, B x1  MIL + TOR (split); MIL shipped 2 h, TOR 5 h, delivered;
                             1 B back "damaged" (received), 1 A asked back "too small"
  O3   2 h  web  A x1, C x2  MIL, C backordered; 2 C arrive at TOR at 3 h: released there
  O4   4 h  web  R x2        ROM, which rejects at 5 h: re-sourced to NAP, shipped 10 h
  O5   6 h  web  A x1, B x1  MIL + TOR; line B cancelled at 7 h (TOR's fulfillment cancelled)
  O6   8 h  shop A x1        pickup at MIL; ready 10 h, picked up 11 h
  O7   9 h  web  A x1        MIL; cancelled whole at 9.5 h
  O8  24 h  web  A x1        MIL, left open (at `to`: outside the window)
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from math import asin, cos, radians, sin, sqrt
from typing import Any

import pytest

from oms import catalog, clock
from oms.auth import Principal
from oms.metrics import order_figures
from tests.conftest import make_token
from tests.helpers import ADJUST, channel, statements
from tests.journeys import (
    cancel,
    fulfillment_at,
    line_id,
    ok,
    order,
    receive_return,
    reject,
    walk,
)
from tests.order_helpers import BERGAMO, PLACE, PLACES, network, order_input, place, stock

T0 = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
DAY = {"from": T0.isoformat(), "to": (T0 + timedelta(hours=24)).isoformat()}
FIGURES = """
  from to channel orders units revenue { amount currency } byStatus { status count }
  fillRate splitRate backorderRate cancellationRate returnRate
  meanShippingDistanceKm meanHoursToShip
  topReturnReasons { reason count } top1: topReturnReasons(first: 1) { reason count }
  nodes { node { code dailyCapacity } fulfillments units backlog utilization rejections }
"""
METRICS = ("query($from: DateTime!, $to: DateTime!, $channel: String) { "
           "orderMetrics(from: $from, to: $to, channel: $channel) { " + FIGURES + " } }")
REQUEST = """
mutation($input: RequestReturnInput!) {
  requestReturn(input: $input) { return { id } userErrors { code message } }
}"""


def km(node: str) -> float:
    """Great-circle km from `node` to Bergamo: haversine on the mean Earth radius."""
    (lat1, lon1), loc = PLACES[node], BERGAMO["location"]
    lat1, lon1, lat2, lon2 = map(radians, (lat1, lon1, loc["latitude"], loc["longitude"]))
    chord = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * asin(sqrt(chord))


class Day:
    """The ManualClock of the scripted day: `at(h)` sets it to T0 + h hours."""

    def __init__(self, time: clock.ManualClock) -> None:
        self.time = time

    def at(self, hours: float) -> None:
        self.time.advance((T0 + timedelta(hours=hours) - self.time.now()).total_seconds())


async def ask_back(api: Any, placed: dict[str, Any], sku: str, reason: str) -> str:
    data = await api(REQUEST, {"input": {"orderId": placed["id"], "lines": [
        {"orderLineId": line_id(placed, sku), "quantity": 1, "reason": reason}]}})
    return (await ok(data["requestReturn"]))["return"]["id"]


async def ship_all(api: Any, order_id: str, node: str) -> None:
    await walk(api, fulfillment_at(await order(api, order_id), node)["id"],
               "accept", "pick", "pack", "ship")


async def deliver(api: Any, order_id: str, node: str) -> None:
    await walk(api, fulfillment_at(await order(api, order_id), node, "SHIPPED")["id"], "deliver")


async def script(api: Any, day: Day) -> dict[str, dict[str, Any]]:
    """The day above, through the API; returns the orders by name."""
    day.at(-2)
    await network(api, MIL={"canPickup": True, "dailyCapacity": 10})
    await channel(api, "shop", type="STORE", currency="CHF")
    await stock(api, ("A", "MIL", 20), ("B", "TOR", 10), ("C", "TOR", 0), ("R", "ROM", 5),
                ("R", "NAP", 5))
    placed: dict[str, dict[str, Any]] = {}
    day.at(-1)
    placed["O0"] = await place(api, ("A", 1))
    day.at(0)
    placed["O1"] = await place(api, ("A", 2))
    day.at(1)
    placed["O2"] = await place(api, ("A", 1), ("B", 1))
    day.at(2)
    placed["O3"] = await place(api, ("A", 1), ("C", 2))
    await ship_all(api, placed["O2"]["id"], "MIL")
    day.at(3)
    await ship_all(api, placed["O1"]["id"], "MIL")
    data = await api(ADJUST, {"adjustments": [{"sku": "C", "nodeCode": "TOR", "delta": 2}]})
    assert data["adjustInventory"]["userErrors"] == []
    day.at(4)
    placed["O4"] = await place(api, ("R", 2))
    await deliver(api, placed["O1"]["id"], "MIL")
    day.at(5)
    await ok(await reject(api, fulfillment_at(placed["O4"], "ROM")["id"], "shelf empty"))
    await ship_all(api, placed["O2"]["id"], "TOR")
    day.at(5.5)
    await deliver(api, placed["O2"]["id"], "MIL")
    await deliver(api, placed["O2"]["id"], "TOR")
    await ok(await receive_return(api, await ask_back(api, placed["O1"], "A", "too small"), "MIL",
                                  (line_id(placed["O1"], "A"), 1, "RESTOCK")))
    await ok(await receive_return(api, await ask_back(api, placed["O2"], "B", "damaged"), "TOR",
                                  (line_id(placed["O2"], "B"), 1, "SCRAP")))
    await ask_back(api, placed["O2"], "A", "too small")
    day.at(6)
    placed["O5"] = await place(api, ("A", 1), ("B", 1))
    day.at(7)
    await ok(await cancel(api, placed["O5"]["id"], lines=[line_id(placed["O5"], "B")]))
    day.at(8)
    pickup = order_input(("A", 1), channel_code="shop", price="25.00", shippingAddress=None,
                         deliveryMethod="PICKUP_IN_STORE", pickupNodeCode="MIL")
    pickup["lines"][0]["unitPrice"]["currency"] = "CHF"
    placed["O6"] = (await ok((await api(PLACE, {"input": pickup}))["placeOrder"]))["order"]
    day.at(9)
    placed["O7"] = await place(api, ("A", 1))
    day.at(9.5)
    await ok(await cancel(api, placed["O7"]["id"]))
    day.at(10)
    await walk(api, fulfillment_at(placed["O6"], "MIL")["id"], "accept", "pick", "pack", "ready")
    await ship_all(api, placed["O4"]["id"], "NAP")
    day.at(11)
    await walk(api, fulfillment_at(placed["O6"], "MIL")["id"], "pickedUp")
    day.at(24)
    placed["O8"] = await place(api, ("A", 1))
    return placed


@pytest.fixture
async def day(api: Any) -> AsyncIterator[dict[str, dict[str, Any]]]:
    with clock.use(clock.ManualClock(T0)) as time:
        assert isinstance(time, clock.ManualClock)
        yield await script(api, Day(time))


async def metrics(api: Any, token: str | None = None, **variables: Any) -> dict[str, Any]:
    return (await api(METRICS, {**DAY, **variables}, token=token))["orderMetrics"]


async def test_the_script_did_what_it_says(api: Any, day: dict[str, dict[str, Any]]) -> None:
    statuses = {name: (await order(api, placed["id"]))["status"] for name, placed in day.items()}
    assert statuses == {"O0": "ALLOCATED", "O1": "DELIVERED", "O2": "DELIVERED",
                        "O3": "ALLOCATED", "O4": "SHIPPED", "O5": "ALLOCATED",
                        "O6": "DELIVERED", "O7": "CANCELLED", "O8": "ALLOCATED"}
    assert day["O3"]["status"] == "PARTIALLY_ALLOCATED"  # when placed: C backordered
    o4 = await order(api, day["O4"]["id"])
    assert sorted((f["node"]["code"], f["status"]) for f in o4["fulfillments"]) == [
        ("NAP", "SHIPPED"), ("ROM", "REJECTED")]


async def test_every_figure_of_the_day(api: Any, day: dict[str, dict[str, Any]]) -> None:
    got = await metrics(api)
    assert (got["from"], got["to"], got["channel"]) == (
        "2030-03-04T08:00:00+00:00", "2030-03-05T08:00:00+00:00", None)
    assert got["orders"] == 7  # O1 .. O7 (O0 before the window, O8 at its end)
    assert got["units"] == 2 + 2 + 3 + 2 + 2 + 1 + 1  # O1 .. O7
    assert got["revenue"] == [
        {"amount": "25.00", "currency": "CHF"},  # O6: 1 x 25.00
        {"amount": "120.00", "currency": "EUR"},  # 12 web units x 10.00, cancelled ones included
    ]
    assert got["byStatus"] == [  # the vocabulary's order
        {"status": "ALLOCATED", "count": 2},  # O3 (C released), O5 (B cancelled)
        {"status": "SHIPPED", "count": 1},  # O4
        {"status": "DELIVERED", "count": 3},  # O1, O2 (one unit of two back), O6 (picked up)
        {"status": "CANCELLED", "count": 1},  # O7
    ]
    # allocated at placement: O1 2 + O2 2 + O3 1 (its 2 C backordered, released later) + O4 2
    # (at ROM, rejected later) + O5 2 (B cancelled later) + O6 1 + O7 1, of 13 ordered
    assert got["fillRate"] == pytest.approx((2 + 2 + 1 + 2 + 2 + 1 + 1) / 13)
    # O2 (MIL + TOR) and O3 (MIL + TOR once C was released); O4 is at NAP only (ROM
    # rejected), O5 at MIL only (TOR's fulfillment cancelled)
    assert got["splitRate"] == pytest.approx(2 / 7)
    assert got["backorderRate"] == pytest.approx(1 / 7)  # O3
    assert got["cancellationRate"] == pytest.approx(2 / 7)  # O5 (line B), O7
    # received back: O1 1 A + O2 1 B (O2's A only asked); shipped: O1 2 + O2 2 + O4 2 + O6 1
    assert got["returnRate"] == pytest.approx((1 + 1) / (2 + 2 + 2 + 1))
    # shipped fulfillments: O1 MIL, O2 MIL, O2 TOR, O4 NAP (O6 was picked up, not shipped)
    assert got["meanShippingDistanceKm"] == pytest.approx(
        (km("MIL") + km("MIL") + km("TOR") + km("NAP")) / 4)
    # first shipment or pickup-ready, hours after placement: O1 3 - 0, O2 2 - 1 (MIL before
    # TOR), O4 10 - 4, O6 10 - 8 (ready)
    assert got["meanHoursToShip"] == pytest.approx(((3 - 0) + (2 - 1) + (10 - 4) + (10 - 8)) / 4)
    assert got["topReturnReasons"] == [
        {"reason": "too small", "count": 1 + 1},  # O1's A (received) + O2's A (asked)
        {"reason": "damaged", "count": 1},  # O2's B
    ]
    assert got["top1"] == [{"reason": "too small", "count": 2}]
    assert got["nodes"] == [  # by code
        # created in the window: O1, O2, O3, O5, O6, O7 (O0 and O8 outside it); units 2 + 1 +
        # 1 + 1 + 1 + 0 (O7's cancelled); open now: O0, O3, O5, O8 of 10 a day
        {"node": {"code": "MIL", "dailyCapacity": 10}, "fulfillments": 6,
         "units": 2 + 1 + 1 + 1 + 1 + 0, "backlog": 4, "utilization": pytest.approx(4 / 10),
         "rejections": 0},
        # O4 re-sourced here at 5 h, shipped
        {"node": {"code": "NAP", "dailyCapacity": None}, "fulfillments": 1, "units": 2,
         "backlog": 0, "utilization": None, "rejections": 0},
        # O4 placed here, rejected: its units are not this node's work
        {"node": {"code": "ROM", "dailyCapacity": None}, "fulfillments": 1, "units": 0,
         "backlog": 0, "utilization": None, "rejections": 1},
        # O2's B (shipped), O3's released C (open), O5's B (cancelled: 0 units)
        {"node": {"code": "TOR", "dailyCapacity": None}, "fulfillments": 3, "units": 1 + 2 + 0,
         "backlog": 1, "utilization": None, "rejections": 0},
    ]


async def test_one_channel(api: Any, day: dict[str, dict[str, Any]]) -> None:
    got = await metrics(api, channel="web")  # O1 .. O5, O7; not O6 (shop)
    assert (got["channel"], got["orders"], got["units"]) == ("web", 6, 2 + 2 + 3 + 2 + 2 + 1)
    assert got["revenue"] == [{"amount": "120.00", "currency": "EUR"}]
    assert got["fillRate"] == pytest.approx((2 + 2 + 1 + 2 + 2 + 1) / 12)
    assert (got["splitRate"], got["backorderRate"], got["cancellationRate"]) == pytest.approx(
        (2 / 6, 1 / 6, 2 / 6))
    assert got["returnRate"] == pytest.approx(2 / (2 + 2 + 2))
    assert got["meanHoursToShip"] == pytest.approx((3 + 1 + 6) / 3)
    mil = got["nodes"][0]
    assert (mil["node"]["code"], mil["fulfillments"], mil["units"], mil["backlog"]) == (
        "MIL", 5, 5, 4)  # O6's pickup left out; the backlog is the node's, every channel


async def test_a_channel_limited_token_sees_its_channels_only(
        api: Any, day: dict[str, dict[str, Any]]) -> None:
    shop = await make_token(["orders:read"], channels=["shop"])
    got = await metrics(api, shop)
    assert (got["orders"], got["units"], got["revenue"]) == (
        1, 1, [{"amount": "25.00", "currency": "CHF"}])  # O6 alone
    assert got["byStatus"] == [{"status": "DELIVERED", "count": 1}]
    assert (got["fillRate"], got["splitRate"], got["returnRate"]) == (1.0, 0.0, 0.0)
    assert got["meanShippingDistanceKm"] is None  # a pickup ships nothing
    assert got["meanHoursToShip"] == pytest.approx(10 - 8)
    assert [(n["node"]["code"], n["fulfillments"]) for n in got["nodes"]] == [("MIL", 1)]
    assert await metrics(api, shop, channel="shop") == {**got, "channel": "shop"}
    body = await api.raw(METRICS, {**DAY, "channel": "web"}, token=shop)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNKNOWN_CHANNEL"]
    assert body["data"] is None


async def test_a_node_limited_token_sees_its_nodes_loads_only(
        api: Any, day: dict[str, dict[str, Any]]) -> None:
    tor = await make_token(["orders:read"], nodes=["TOR"])
    got = await metrics(api, tor)
    assert got["orders"] == 7
    assert [n["node"]["code"] for n in got["nodes"]] == ["TOR"]


async def test_an_empty_window_divides_nothing(api: Any, day: dict[str, dict[str, Any]]) -> None:
    later = {"from": (T0 + timedelta(days=30)).isoformat(),
             "to": (T0 + timedelta(days=31)).isoformat()}
    got = await metrics(api, **later)
    assert {k: v for k, v in got.items() if k not in ("from", "to", "channel")} == {
        "orders": 0, "units": 0, "revenue": [], "byStatus": [], "fillRate": 0.0,
        "splitRate": 0.0, "backorderRate": 0.0, "cancellationRate": 0.0, "returnRate": 0.0,
        "meanShippingDistanceKm": None, "meanHoursToShip": None, "topReturnReasons": [],
        "top1": [], "nodes": []}


async def test_times_with_an_offset_or_none_are_the_same_instants(
        api: Any, day: dict[str, dict[str, Any]]) -> None:
    rome = await metrics(api, **{"from": "2030-03-04T09:00:00+01:00",
                                 "to": "2030-03-05T09:00:00+01:00"})
    naive = await metrics(api, **{"from": "2030-03-04T08:00:00", "to": "2030-03-05T08:00:00"})
    assert rome == naive == await metrics(api)
    hour_later = await metrics(api, **{"from": (T0 + timedelta(hours=1)).isoformat()})
    assert hour_later["orders"] == 7 - 1  # O1, placed at T0, is no longer in


@pytest.mark.parametrize(("variables", "field"), [
    ({"to": DAY["from"]}, ["to"]),  # empty
    ({"to": (T0 - timedelta(hours=1)).isoformat()}, ["to"]),  # reversed
    ({"to": (T0 + timedelta(days=367)).isoformat()}, ["to"]),  # longer than a year
])
async def test_bad_windows_are_refused(api: Any, variables: dict[str, str],
                                       field: list[str]) -> None:
    body = await api.raw(METRICS, {**DAY, **variables})
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", field)]
    assert body["data"] is None


@pytest.mark.parametrize("first", [-1, 101])
async def test_out_of_range_first_is_refused(api: Any, first: int) -> None:
    body = await api.raw("query($from: DateTime!, $to: DateTime!, $first: Int) { orderMetrics("
                         "from: $from, to: $to) { orders topReturnReasons(first: $first) "
                         "{ reason } } }", {**DAY, "first": first})
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", ["first"])]


async def test_unknown_channel_is_refused(api: Any) -> None:
    body = await api.raw(METRICS, {**DAY, "channel": "nowhere"})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNKNOWN_CHANNEL"]


@pytest.mark.parametrize(("scopes", "code"), [
    (["orders:read"], None), (["orders:write"], None), (["admin"], None),
    (["orders:read:own"], "FORBIDDEN"), (["availability:read"], "FORBIDDEN"),
    (["fulfillment:write"], "FORBIDDEN"),
])
async def test_who_may_read_the_metrics(api: Any, scopes: list[str], code: str | None) -> None:
    token = await make_token(scopes, customer_ref="c-1" if "orders:read:own" in scopes else None)
    body = await api.raw(METRICS, DAY, token=token)
    assert [e["extensions"]["code"] for e in body.get("errors") or []] == ([code] if code else [])


async def test_figures_are_read_by_a_few_aggregate_statements_each_only_when_asked(
        database: Any) -> None:
    admin = Principal("t", "t", frozenset({"admin"}), frozenset(), frozenset(), None)
    await catalog.nodes_by_id()  # the per-process node catalog, warm as in a running server
    with statements(this_task_only=False) as seen:
        figures = await order_figures(admin, T0, T0 + timedelta(days=1), None)
        assert (await figures.counts()).orders == 0
        assert await figures.split_rate() == 0.0  # counts are read once, shared
    assert len(seen) == 2, seen
    with statements(this_task_only=False) as seen:
        figures = await order_figures(admin, T0, T0 + timedelta(days=1), None)
        await asyncio.gather(
            figures.counts(), figures.lines(), figures.fill_rate(), figures.split_rate(),
            figures.backorder_rate(), figures.cancellation_rate(), figures.return_rate(),
            figures.mean_shipping_distance_km(), figures.mean_hours_to_ship(),
            figures.top_return_reasons(5), figures.node_loads())
    kpi = [sql for sql in seen if 'FROM "order"' in sql or 'FROM "fulfillment"' in sql]
    assert len(kpi) == 8, seen  # counts, lines, placement, splits, hours, distances, reasons, nodes
    assert len(seen) - len(kpi) <= 2, seen  # the node catalog's freshness check


SERIES = """query($from: DateTime!, $to: DateTime!, $buckets: Int) {
  orderMetrics(from: $from, to: $to) { ordersOverTime(buckets: $buckets) { from to orders } } }"""


async def test_orders_over_time_count_each_part_of_the_window(
        api: Any, day: dict[str, dict[str, Any]]) -> None:
    # O1-O4 at 0, 1, 2 and 4 h; O5, O6 (shop), O7 at 6, 8 and 9 h; O0 (-1 h), O8 (24 h) outside.
    got = (await api(SERIES, {**DAY, "buckets": 4}))["orderMetrics"]["ordersOverTime"]
    assert [b["orders"] for b in got] == [4, 3, 0, 0]
    assert [b["from"] for b in got] == [(T0 + timedelta(hours=6 * i)).isoformat() for i in range(4)]
    assert got[-1]["to"] == (T0 + timedelta(hours=24)).isoformat()
    hourly = (await api(SERIES, DAY))["orderMetrics"]["ordersOverTime"]
    assert [b["orders"] for b in hourly][:10] == [1, 1, 1, 0, 1, 0, 1, 0, 1, 1]
    assert len(hourly) == 24 and sum(b["orders"] for b in hourly) == 7


@pytest.mark.parametrize("buckets", [0, 367])
async def test_out_of_range_buckets_are_refused(api: Any, buckets: int) -> None:
    data = await api.raw(SERIES, {**DAY, "buckets": buckets})
    assert data["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
