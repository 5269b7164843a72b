"""overrideRouting racing shipFulfillment on one order ends as one of the two serial outcomes
(PostgreSQL only: SQLite runs one transaction at a time)."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from oms.config import Settings
from tests.helpers import positions
from tests.journeys import FULFILLMENT_PAYLOAD, order, walk
from tests.order_helpers import network, place, stock

OVERRIDE = """
mutation($input: RoutingOverrideInput!) {
  overrideRouting(input: $input) { order { id } userErrors { code message } }
}"""
SHIP = ("mutation($input: ShipFulfillmentInput!) { shipFulfillment(input: $input) { "
        + FULFILLMENT_PAYLOAD + " } }")
ROUNDS = 10


@pytest.fixture(autouse=True)
def postgres_only(database: Settings) -> None:
    if not database.is_postgres:
        pytest.skip("row-level concurrency needs PostgreSQL (set OMS_TEST_DATABASE_URL)")


async def test_override_and_shipment_of_one_order_serialize(api: Any) -> None:
    await network(api, ("MIL", "TOR"))
    await stock(api, ("A", "MIL", 2 * ROUNDS), ("A", "TOR", 2 * ROUNDS))
    outcomes = []
    for round_number in range(ROUNDS):
        placed = await place(api, ("A", 2))
        at_mil = placed["fulfillments"][0]
        assert at_mil["node"]["code"] == "MIL"
        await walk(api, at_mil["id"], "accept", "pick", "pack")
        ship = api(SHIP, {"input": {"fulfillmentId": at_mil["id"], "carrier": "BRT",
                                    "trackingNumber": "T"}})
        override = api(OVERRIDE, {"input": {"orderId": placed["id"], "nodeCode": "TOR",
                                            "reason": "closer to the customer"}})
        if round_number % 2:
            moved, shipped = await asyncio.gather(override, ship)
        else:
            shipped, moved = await asyncio.gather(ship, override)
        ship_ok = not shipped["shipFulfillment"]["userErrors"]
        override_ok = not moved["overrideRouting"]["userErrors"]
        assert ship_ok != override_ok, (shipped, moved)
        outcomes.append(await serial_outcome(api, placed["id"], ship_ok))
    levels = await positions(api, "A")
    shipped_units = 2 * outcomes.count("shipped")
    moved_units = 2 * outcomes.count("moved")
    assert levels["MIL"]["onHand"] == 2 * ROUNDS - shipped_units
    assert levels["MIL"]["reserved"] == 0
    assert levels["TOR"]["reserved"] == moved_units and levels["TOR"]["onHand"] == 2 * ROUNDS


async def serial_outcome(api: Any, order_id: str, shipped_first: bool) -> str:
    """Check the order is exactly what the winner alone would have left; name the winner."""
    found = await order(api, order_id)
    by_node = {(f["node"]["code"], f["status"]): sum(x["quantity"] for x in f["lines"])
               for f in found["fulfillments"]}
    line = found["lines"][0]
    if shipped_first:
        assert by_node == {("MIL", "SHIPPED"): 2} and line["shippedQuantity"] == 2
        return "shipped"
    assert by_node == {("MIL", "CANCELLED"): 0, ("TOR", "PENDING"): 2}
    assert line["shippedQuantity"] == 0 and line["allocatedQuantity"] == 2
    return "moved"
