"""Load on a served `oms`, and ears on its events, for the crash and outage tests.

`Load`: clients placing orders and working each fulfillment to shipped until the server
is gone, keeping what it acknowledged. `Shoppers`: clients placing orders with
idempotency keys, trying a key again until it is answered, every answer classified and
timed. `Heard`: what an orderEvents subscription delivered. `ChannelTap`: what the
deployment's Redis channel carried.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import redis.asyncio as redis

from oms.events.topics import ORDER_EVENT
from tests.order_helpers import order_input, place
from tests.servers import LiveServer, Subscription

SKUS = tuple(f"S{i}" for i in range(8))
PROBE_SKU = "P"
PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { id number fulfillments { id } } userErrors { code message } } }"""
STEPS = (("ACCEPTED", "acceptFulfillment"), ("PICKED", "markPicked"), ("PACKED", "markPacked"))
ADVANCE = """mutation($id: ID!) {{ {field}(fulfillmentId: $id) {{
  fulfillment {{ status }} userErrors {{ code message }} }} }}"""
SHIP = """mutation($input: ShipFulfillmentInput!) { shipFulfillment(input: $input) {
  fulfillment { status } userErrors { code message } } }"""
ORDER_EVENTS = "subscription { orderEvents { event { id } order { id } } }"


@dataclass
class Load:
    """Clients placing orders and moving every fulfillment to shipped, until the server is
    gone; what the server acknowledged is kept."""

    client: httpx.AsyncClient
    token: str
    placed: set[str] = field(default_factory=set)
    reached: dict[str, str] = field(default_factory=dict)
    "fulfillment id -> the last status the server acknowledged"
    refused: list[Any] = field(default_factory=list)

    async def run(self, n: int) -> None:
        rng = random.Random(n)
        try:
            while True:
                await self.one_order(n, rng)
        except httpx.TransportError:
            return  # the server was killed

    async def one_order(self, n: int, rng: random.Random) -> None:
        lines = [(sku, rng.randint(1, 2)) for sku in rng.sample(SKUS, rng.randint(1, 2))]
        total = f"{10 * sum(qty for _, qty in lines)}.00"
        body = order_input(*lines, customerRef=f"c{n}", payment={
            "reference": f"card-{n}", "amount": {"amount": total, "currency": "EUR"}})
        placed = await self.call(PLACE, {"input": body}, "placeOrder")
        if placed is None:
            return
        self.placed.add(placed["order"]["id"])
        for fulfillment in placed["order"]["fulfillments"]:
            await self.work(fulfillment["id"])

    async def work(self, fulfillment_id: str) -> None:
        for status, name in STEPS:
            if await self.call(ADVANCE.format(field=name), {"id": fulfillment_id}, name) is None:
                return
            self.reached[fulfillment_id] = status
        ship = {"fulfillmentId": fulfillment_id, "carrier": "BRT", "trackingNumber": "T1"}
        if await self.call(SHIP, {"input": ship}, "shipFulfillment") is not None:
            self.reached[fulfillment_id] = "SHIPPED"

    async def call(self, query: str, variables: dict[str, Any], name: str) -> Any:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables},
                                          headers={"Authorization": f"Bearer {self.token}"})
        body = response.json()
        payload = (body.get("data") or {}).get(name)
        if body.get("errors") or payload is None or payload["userErrors"]:
            self.refused.append(body)
            return None
        return payload

    def shipped(self) -> int:
        return sum(1 for status in self.reached.values() if status == "SHIPPED")


@dataclass
class Shoppers:
    """Clients placing orders with idempotency keys, trying a key again (after a pause) until
    it is answered; every answer is classified, with when it started and ended."""

    client: httpx.AsyncClient
    token: str
    answers: list[tuple[float, float, str]] = field(default_factory=list)
    "(started, ended, 'ok' / 'unavailable' / what else came)"
    acknowledged: dict[str, str] = field(default_factory=dict)
    stopping: bool = False

    async def run(self, n: int) -> None:
        key = 0
        while not self.stopping:
            if await self.place(f"shopper-{n}-{key}"):
                key += 1
            else:
                await asyncio.sleep(0.1)  # the shopper's own pause before trying again

    async def place(self, key: str) -> bool:
        body = order_input(("S1", 1), idempotencyKey=key)
        started = time.monotonic()
        response = await self.client.post("/graphql", json={"query": PLACE,
                                                             "variables": {"input": body}},
                                          headers={"Authorization": f"Bearer {self.token}"})
        outcome = _outcome(response)
        self.answers.append((started, time.monotonic(), outcome))
        if outcome == "ok":
            self.acknowledged[key] = response.json()["data"]["placeOrder"]["order"]["id"]
        return outcome == "ok"

    def count(self, outcome: str, since: float) -> int:
        """Answers of `outcome` that came after `since`."""
        return sum(1 for _, ended, seen in self.answers if seen == outcome and ended >= since)

    def slowest(self, since: float, until: float) -> float:
        """The longest answer among those under way at some time between `since` and `until`."""
        return max((ended - started for started, ended, _ in self.answers
                    if started < until and ended > since), default=0.0)

    def others(self) -> list[str]:
        return [seen for _, _, seen in self.answers if seen not in ("ok", "unavailable")]


def _outcome(response: httpx.Response) -> str:
    """ok; unavailable: coded SERVICE_UNAVAILABLE only, with Retry-After, and 503 when no
    data came (a placement whose order could not be read back is 200 with data); else all."""
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} {response.text[:300]}"
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
    if response.status_code == 200 and not codes and not body["data"]["placeOrder"]["userErrors"]:
        return "ok"
    status = 503 if body.get("data") is None else 200
    if codes == {"SERVICE_UNAVAILABLE"} and response.headers.get("retry-after") and \
            response.status_code == status:
        return "unavailable"
    return f"{response.status_code} {response.text[:300]}"


class Heard:
    """The order events one subscription delivered (orderEvents: event id, order id)."""

    def __init__(self, subscription: Subscription) -> None:
        self.subscription = subscription
        self.events: list[tuple[int, str]] = []

    def take(self) -> list[tuple[int, str]]:
        queue = self.subscription.received
        while not queue.empty():
            item = queue.get_nowait()
            if not isinstance(item, BaseException):  # the socket of a killed server ends so
                update = item["orderEvents"]
                self.events.append((int(update["event"]["id"]), update["order"]["id"]))
        return self.events

    def ids(self) -> list[int]:
        return [event_id for event_id, _ in self.take()]

    async def heard_order(self, order_id: str, within: float) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if any(order == order_id for _, order in self.take()):
                return True
            await asyncio.sleep(0.02)
        return False


async def until_heard(server: LiveServer, heard: Heard) -> None:
    """Place probe orders until the subscription hears one: it is live from then on."""
    for _ in range(30):
        order = await place(server.api, (PROBE_SKU, 1))
        if await heard.heard_order(order["id"], within=0.5):
            return
    raise AssertionError("the subscription never heard a probe order")


class ChannelTap:
    """Everything published on the deployment's events channel, read straight from Redis."""

    def __init__(self, redis_url: str, channel: str) -> None:
        self.client = redis.from_url(redis_url)
        self.channel = channel
        self.messages: list[dict[str, Any]] = []

    async def __aenter__(self) -> ChannelTap:
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        await self.pubsub.subscribe(self.channel)
        self.reading = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        while True:
            message = await self.pubsub.get_message(timeout=1.0)
            if message is not None:
                self.messages.append(json.loads(message["data"]))

    def order_event_ids(self) -> set[int]:
        return {int(m["payload"]["event_id"]) for m in self.messages if m["topic"] == ORDER_EVENT}

    async def __aexit__(self, *exc: object) -> None:
        self.reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reading
        await self.pubsub.aclose()
        await self.client.aclose()
