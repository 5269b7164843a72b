"""The availability read model against a from-scratch computation, after random work.

Random sequences of syncs, adjustments, cart holds and releases, orders, shipments,
cancellations, returns, channel edits and node edits go through the API; after each
step every channel's `availability` (any method, shipping, pickup) must equal what
the documented rule gives from the positions `inventory(sku)` reports and the
channel and node settings this test last wrote.
"""
from __future__ import annotations

import random
from typing import Any

import pytest

from tests.helpers import AVAILABILITY, INVENTORY, UPSERT_CHANNEL, UPSERT_NODE, stock
from tests.journeys import cancel, place_paid, receive_return, request_return, walk
from tests.order_helpers import PLACE, order_input
from tests.test_reservations import RELEASE, RESERVE

SKUS = ("A", "B", "C")
NODES: dict[str, dict[str, Any]] = {
    "W1": {"type": "WAREHOUSE", "location": {"latitude": 45.46, "longitude": 9.19}},
    "D1": {"type": "DISTRIBUTION_CENTER", "location": {"latitude": 41.90, "longitude": 12.50}},
    "S1": {"type": "STORE", "canPickup": True, "canShip": False,
           "location": {"latitude": 45.07, "longitude": 7.69}},
    "S2": {"type": "STORE", "canPickup": True, "location": {"latitude": 40.85, "longitude": 14.27}},
}
CHANNELS: dict[str, dict[str, Any]] = {
    "web": {"type": "WEB"},
    "app": {"type": "APP", "buffer": 1, "allocationPercent": 80, "excludedNodeCodes": ["S2"]},
    "mkt": {"type": "MARKETPLACE", "allocationPercent": 50,
            "nodeTypes": ["WAREHOUSE", "DISTRIBUTION_CENTER"]},
    "shop": {"type": "STORE", "nodeTypes": ["STORE"], "buffer": 2},
}
METHODS = (None, "SHIP_TO_ADDRESS", "PICKUP_IN_STORE")


class World:
    """What the test wrote, and what it can act on next."""

    def __init__(self, api: Any, rng: random.Random) -> None:
        self.api, self.rng = api, rng
        self.nodes = {code: {"active": True, "canShip": True, "canPickup": False, **spec}
                      for code, spec in NODES.items()}
        self.channels = {code: {"active": True, "buffer": 0, "allocationPercent": 100,
                                "excludedNodeCodes": [], "nodeTypes": [], **spec}
                         for code, spec in CHANNELS.items()}
        self.reservations: list[str] = []
        self.orders: list[dict[str, Any]] = []
        self.shipped: list[dict[str, Any]] = []
        self.done: dict[str, int] = {"give_back": 0}

    async def setup(self) -> None:
        for code in self.nodes:
            await self.save_node(code)
        for code in self.channels:
            await self.save_channel(code)

    async def save_node(self, code: str) -> None:
        body = {"code": code, "name": code, **self.nodes[code]}
        data = await self.api(UPSERT_NODE, {"input": body})
        assert data["upsertNode"]["userErrors"] == []

    async def save_channel(self, code: str) -> None:
        body = {"code": code, "name": code, "currency": "EUR", **self.channels[code]}
        data = await self.api(UPSERT_CHANNEL, {"input": body})
        assert data["upsertChannel"]["userErrors"] == []

    # ------------------------------------------------------------------ steps
    async def sync(self) -> None:
        records = {(self.rng.choice(SKUS), self.rng.choice(list(NODES))) for _ in range(3)}
        await stock(self.api, *[(s, n, self.rng.randint(0, 12), self.rng.randint(0, 2))
                                for s, n in records])

    async def adjust(self) -> None:
        body = [{"sku": self.rng.choice(SKUS), "nodeCode": self.rng.choice(list(NODES)),
                 "delta": self.rng.randint(-4, 6)}]
        await self.api("mutation($a: [InventoryAdjustmentInput!]!) { adjustInventory("
                       "adjustments: $a) { updated userErrors { code } } }", {"a": body})

    async def reserve(self) -> None:
        data = await self.api(RESERVE, {"input": {
            "channel": self.rng.choice(list(CHANNELS)), "ttlSeconds": 900,
            "lines": [{"sku": self.rng.choice(SKUS), "quantity": self.rng.randint(1, 3)}]}})
        if data["reserve"]["reservation"]:
            self.reservations.append(data["reserve"]["reservation"]["id"])

    async def release(self) -> None:
        if self.reservations:
            hold = self.reservations.pop(self.rng.randrange(len(self.reservations)))
            await self.api(RELEASE, {"id": hold})

    async def order(self) -> None:
        lines = {self.rng.choice(SKUS): self.rng.randint(1, 3) for _ in range(2)}
        data = await self.api(PLACE, {"input": order_input(*lines.items())})
        if data["placeOrder"]["order"]:
            self.orders.append(data["placeOrder"]["order"])

    async def ship(self) -> None:
        pending = [(o, f) for o in self.orders for f in o["fulfillments"]
                   if f["status"] == "PENDING"]
        if not pending:
            return
        order, fulfillment = self.rng.choice(pending)
        payload = await walk(self.api, fulfillment["id"], "accept", "pick", "pack", "ship",
                             "deliver")
        self.orders.remove(order)
        self.orders.append(payload["order"])
        self.shipped.append(payload["order"])

    async def cancel(self) -> None:
        if self.orders:
            order = self.orders.pop(self.rng.randrange(len(self.orders)))
            await cancel(self.api, order["id"])

    async def give_back(self) -> None:
        if not self.shipped:
            return
        order = self.shipped.pop(self.rng.randrange(len(self.shipped)))
        line = next(x for x in order["lines"] if x["shippedQuantity"])
        rma = await request_return(self.api, order["id"], (line["id"], 1))
        if rma["return"]:
            received = await receive_return(self.api, rma["return"]["id"],
                                            self.rng.choice(list(NODES)), (line["id"], 1, "RESTOCK"))
            self.done["give_back"] += received["return"] is not None

    async def edit_channel(self) -> None:
        code = self.rng.choice(list(CHANNELS))
        spec = self.channels[code]
        spec["buffer"] = self.rng.randint(0, 3)
        spec["allocationPercent"] = self.rng.choice([100, 80, 50, 33])
        spec["excludedNodeCodes"] = self.rng.sample(list(NODES), self.rng.randint(0, 2))
        spec["active"] = self.rng.random() > 0.15
        await self.save_channel(code)

    async def edit_node(self) -> None:
        code = self.rng.choice(list(NODES))
        spec = self.nodes[code]
        spec["active"] = self.rng.random() > 0.2
        spec["canPickup"] = self.rng.random() > 0.5
        await self.save_node(code)

    # ------------------------------------------------------------------ the check
    async def check(self, step: str) -> None:
        levels = {sku: (await self.api(INVENTORY, {"sku": sku}))["inventory"] for sku in SKUS}
        for code in CHANNELS:
            for method in METHODS:
                data = await self.api(AVAILABILITY, {"channel": code, "skus": list(SKUS),
                                                     "method": method})
                served = {a["sku"]: a["available"] for a in data["availability"]}
                expected = {sku: self.scratch(code, method, levels[sku]) for sku in SKUS}
                assert served == expected, (step, code, method, levels)

    def scratch(self, code: str, method: str | None, positions: list[dict[str, Any]]) -> int:
        channel = self.channels[code]
        total = 0
        for pos in positions:
            node_code = pos["node"]["code"]
            node = self.nodes[node_code]
            sees = (channel["active"] and node["active"]
                    and node_code not in channel["excludedNodeCodes"]
                    and (not channel["nodeTypes"] or node["type"] in channel["nodeTypes"])
                    and (method != "SHIP_TO_ADDRESS" or node["canShip"])
                    and (method != "PICKUP_IN_STORE" or node["canPickup"]))
            free = max(0, pos["onHand"] - pos["reserved"] - pos["safetyStock"])
            if sees:
                total += max(0, (free - channel["buffer"]) * channel["allocationPercent"] // 100)
        return total


STEPS = ("sync", "sync", "adjust", "reserve", "release", "order", "order", "ship", "cancel",
         "give_back", "edit_channel", "edit_node")


@pytest.mark.parametrize("seed", [1, 2])
async def test_read_model_equals_a_from_scratch_computation(api: Any, seed: int) -> None:
    world = World(api, random.Random(seed))
    await world.setup()
    await stock(api, *[(sku, node, 10) for sku in SKUS for node in NODES])
    await world.check("setup")
    for number in range(60):
        name = world.rng.choice(STEPS)
        await getattr(world, name)()
        await world.check(f"{number}:{name}")
    assert world.done["give_back"] >= 1 and world.shipped is not None


async def test_read_model_counts_a_paid_order_shipped_and_returned(api: Any) -> None:
    world = World(api, random.Random(0))
    await world.setup()
    await stock(api, ("A", "W1", 5))
    placed = await place_paid(api, ("A", 2))
    await world.check("placed")
    shipped = await walk(api, placed["fulfillments"][0]["id"], "accept", "pick", "pack", "ship",
                         "deliver")
    await world.check("shipped")
    line = shipped["order"]["lines"][0]["id"]
    rma = await request_return(api, placed["id"], (line, 2))
    await receive_return(api, rma["return"]["id"], "S1", (line, 2, "RESTOCK"))
    await world.check("returned")
