"""P3: `stockUpdates` fan-out to N websocket subscribers (graphql-transport-ws).

Client processes (separate from the server, asyncio + websockets) hold the sockets and note
when each update arrives, per SKU. The orchestrator changes stock with `adjustInventory`
and asks every client, per (socket, SKU) that should hear of a change, how long after the
mutation was sent the first update for that SKU came. Every wait has a deadline.

Each socket holds one subscription to its own list of SKUs (see bench/subscribers.py).
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing as mp
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

import websockets
from websockets.typing import Subprotocol

from bench.api import ADJUST, Api
from bench.servers import raise_fd_limit

CHANNEL = "web"
SUBSCRIBE = ("subscription($c: String!, $s: [String!]) "
             "{ stockUpdates(channel: $c, skus: $s) { sku available at } }")
Specs = list[list[str]]
"Per socket, the SKUs it follows."


async def _open(url: str, token: str, gate: asyncio.Semaphore) -> websockets.ClientConnection:
    async with gate:
        ws = await websockets.connect(url, subprotocols=[Subprotocol("graphql-transport-ws")],
                                      open_timeout=120, ping_interval=None, max_queue=None)
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"Authorization": f"Bearer {token}"}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 120))
        if ack["type"] != "connection_ack":
            raise RuntimeError(f"not acknowledged: {ack}")
        return ws


async def _subscribe(ws: websockets.ClientConnection, sub_id: str, skus: list[str]) -> None:
    await ws.send(json.dumps({"id": sub_id, "type": "subscribe", "payload": {
        "query": SUBSCRIBE, "variables": {"c": CHANNEL, "s": skus}}}))


class Client:
    """The sockets of one client process and when each heard of each SKU."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.sockets: list[websockets.ClientConnection] = []
        self.receipts: list[dict[str, list[float]]] = []
        self.specs: Specs = []

    async def connect(self, specs: Specs) -> None:
        gate = asyncio.Semaphore(64)
        self.sockets = list(await asyncio.gather(*(_open(self.url, self.token, gate) for _ in specs)))
        self.receipts = [defaultdict(list) for _ in specs]
        self.specs = specs
        self.readers = [asyncio.create_task(self._read(i)) for i in range(len(specs))]
        for ws, skus in zip(self.sockets, specs, strict=True):
            await _subscribe(ws, "1", skus)

    async def _read(self, index: int) -> None:
        ws = self.sockets[index]
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "next" and message.get("id") == "1":
                    sku = message["payload"]["data"]["stockUpdates"]["sku"]
                    self.receipts[index][sku].append(time.time())
                elif message["type"] == "ping":
                    await ws.send('{"type":"pong"}')

    def _latencies(self, sent: dict[str, float]) -> tuple[list[float], int]:
        latencies, missing = [], 0
        for skus, got in zip(self.specs, self.receipts, strict=True):
            for sku in skus:
                if sku not in sent:
                    continue
                first = next((t for t in got.get(sku, ()) if t >= sent[sku]), None)
                if first is None:
                    missing += 1
                else:
                    latencies.append(first - sent[sku])
        return latencies, missing

    async def collect(self, sent: dict[str, float], wait: float) -> tuple[list[float], int]:
        """Latency per (socket, SKU) that should hear of a change; how many did not, in time."""
        deadline = time.monotonic() + wait
        while True:
            latencies, missing = self._latencies(sent)
            if not missing or time.monotonic() > deadline:
                return latencies, missing
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


async def _serve(url: str, token: str, specs: Specs, pipe: Connection) -> None:
    client = Client(url, token)
    await client.connect(specs)
    pipe.send(("ready", len(client.sockets)))
    loop = asyncio.get_running_loop()
    while (command := await loop.run_in_executor(None, pipe.recv))[0] != "stop":
        pipe.send(("latencies", *await client.collect(command[1], command[2])))
    await client.close()


def client_process(url: str, token: str, specs: Specs, pipe: Connection) -> None:
    raise_fd_limit()
    asyncio.run(_serve(url, token, specs, pipe))


class Fanout:
    """Client processes holding `len(specs)` subscribers, driven from here."""

    def __init__(self, ws_url: str, token: str, api: Api, processes: int, wait: float = 30) -> None:
        self.ws_url, self.token, self.api, self.processes, self.wait = ws_url, token, api, processes, wait
        self.clients: list[tuple[mp.process.BaseProcess, Connection]] = []

    def _split(self, specs: Specs) -> list[Specs]:
        return [specs[i::self.processes] for i in range(self.processes)]

    def _replies(self, timeout: float) -> list[tuple[Any, ...]]:
        replies = []
        for _, pipe in self.clients:
            if not pipe.poll(timeout):
                raise RuntimeError("a fan-out client did not answer in time")
            replies.append(pipe.recv())
        return replies

    def start(self, specs: Specs, timeout: float = 300) -> int:
        """Connect and subscribe every socket; how many are connected."""
        context = mp.get_context("spawn")
        for part in self._split(specs):
            parent, child = context.Pipe()
            process = context.Process(target=client_process, daemon=True,
                                      args=(self.ws_url, self.token, part, child))
            process.start()
            self.clients.append((process, parent))
        return sum(reply[1] for reply in self._replies(timeout))

    def change(self, changes: list[tuple[str, str]], parallel: int = 8) -> tuple[list[float], int]:
        """+1 on hand at each (sku, node), one mutation each; latencies and deliveries missed."""
        sent: dict[str, float] = {}

        def adjust(change: tuple[str, str]) -> None:
            sent[change[0]] = time.time()
            self.api.graphql(ADJUST, {"a": [{"sku": change[0], "nodeCode": change[1], "delta": 1}]})

        with ThreadPoolExecutor(parallel) as pool:
            list(pool.map(adjust, changes))
        for _, pipe in self.clients:
            pipe.send(("collect", sent, self.wait))
        latencies, missing = [], 0
        for reply in self._replies(self.wait + 60):
            latencies += reply[1]
            missing += reply[2]
        return sorted(latencies), missing

    def stop(self) -> None:
        for process, pipe in self.clients:
            with contextlib.suppress(OSError):
                pipe.send(("stop",))
            process.join(20)
            if process.is_alive():
                process.terminate()
        self.clients = []
