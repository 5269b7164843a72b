"""Fan-out: N websocket subscribers on one server process, one stock change, delivery latency.

Starts a server (`uvicorn --factory oms.app:create_app`, one process) on 127.0.0.1 with a
fresh SQLite database (or --database-url/--redis-url), opens N graphql-transport-ws
connections from several client processes, each subscribed to `stockUpdates` for one
SKU, then changes that SKU's stock and measures, per subscriber, the time from the
mutation being sent to the update being received. Prints p50/p99/max and the server's
resident memory. Everything stops by itself (a deadline bounds every wait).

Run: .venv/bin/python bench/fanout.py --subscribers 10000 --clients 4
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
import websockets
from websockets.typing import Subprotocol

ROOT = Path(__file__).resolve().parent.parent
SKU, CHANNEL, NODE = "BENCH-SKU", "web", "WH1"
SUBSCRIBE = ("subscription($c: String!, $s: [String!]) "
             "{ stockUpdates(channel: $c, skus: $s) { sku available at } }")
MAX_SUBSCRIBERS = 20_000


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------- client processes

async def open_subscriber(url: str, token: str, gate: asyncio.Semaphore) -> websockets.ClientConnection:
    async with gate:
        ws = await websockets.connect(url, subprotocols=[Subprotocol("graphql-transport-ws")],
                                      open_timeout=120, ping_interval=None, max_queue=None)
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"Authorization": f"Bearer {token}"}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 120))
        assert ack["type"] == "connection_ack", ack
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
            "query": SUBSCRIBE, "variables": {"c": CHANNEL, "s": [SKU]}}}))
        return ws


async def read_updates(ws: websockets.ClientConnection,
                       receipts: list[tuple[float, int, float]]) -> None:
    async for raw in ws:
        message = json.loads(raw)
        if message["type"] == "next":
            update = message["payload"]["data"]["stockUpdates"]
            computed = datetime.fromisoformat(update["at"]).timestamp()
            receipts.append((time.time(), update["available"], computed))
        elif message["type"] == "ping":
            await ws.send('{"type":"pong"}')
        elif message["type"] in ("error", "complete"):
            return


async def client(url: str, token: str, count: int, wait: float, pipe: Connection) -> None:
    gate = asyncio.Semaphore(64)
    sockets = await asyncio.gather(*(open_subscriber(url, token, gate) for _ in range(count)))
    receipts: list[list[tuple[float, int, float]]] = [[] for _ in sockets]
    readers = [asyncio.create_task(read_updates(ws, got))
               for ws, got in zip(sockets, receipts, strict=True)]
    pipe.send(("ready", len(sockets)))
    loop = asyncio.get_running_loop()
    while (command := await loop.run_in_executor(None, pipe.recv)) != "stop":
        pipe.send(("times", await arrival_times(receipts, command[1], wait)))
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


async def arrival_times(receipts: list[list[tuple[float, int, float]]], value: int,
                        wait: float) -> list[tuple[float, float] | None]:
    """(received, computed by the server) of `value` per socket, waiting up to `wait` s."""
    deadline = time.monotonic() + wait
    while True:
        times = [next(((t, at) for t, got, at in r if got == value), None) for r in receipts]
        if all(t is not None for t in times) or time.monotonic() > deadline:
            return times
        await asyncio.sleep(0.1)


def client_process(url: str, token: str, count: int, wait: float, pipe: Connection) -> None:
    raise_fd_limit()
    asyncio.run(client(url, token, count, wait, pipe))


# ---------------------------------------------------------------- orchestration

class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.port = free_port()
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=60)
        self.workdir = tempfile.mkdtemp(prefix="oms-fanout-")
        self.database_url = args.database_url or f"sqlite://{self.workdir}/bench.sqlite3"
        self.env = {**os.environ, "OMS_DATABASE_URL": self.database_url,
                    "OMS_REDIS_URL": args.redis_url or "",
                    "OMS_EVENTS_CHANNEL": f"oms:bench:{os.getpid()}"}
        self.server: subprocess.Popen[bytes] | None = None
        self.clients: list[tuple[mp.process.BaseProcess, Connection]] = []
        self.token = ""

    def oms(self, *argv: str) -> str:
        out = subprocess.run([sys.executable, "-m", "oms.cli", *argv], env=self.env, cwd=ROOT,
                             check=True, capture_output=True, text=True, timeout=120)
        return out.stdout.strip()

    def start_server(self) -> None:
        self.oms("migrate")
        self.token = self.oms("token", "create", "--name", "bench", "--scope", "admin").splitlines()[-1]
        self.server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "oms.app:create_app", "--host",
             "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
             "--backlog", "4096"], env=self.env, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.http.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise SystemExit("server did not start")

    def graphql(self, query: str, variables: dict) -> dict:
        response = self.http.post("/graphql", json={"query": query, "variables": variables},
                                  headers={"Authorization": f"Bearer {self.token}"})
        body = response.json()
        assert not body.get("errors"), body
        return body["data"]

    def seed(self) -> None:
        self.graphql("mutation($i: NodeInput!) { upsertNode(input: $i) { userErrors { code } } }",
                     {"i": {"code": NODE, "name": NODE, "type": "WAREHOUSE"}})
        self.graphql("mutation($i: ChannelInput!) { upsertChannel(input: $i) { userErrors { code } } }",
                     {"i": {"code": CHANNEL, "name": CHANNEL, "type": "WEB", "currency": "EUR"}})
        self.set_stock(100)

    def set_stock(self, on_hand: int) -> float:
        sent = time.time()
        self.graphql("mutation($r: [InventoryRecordInput!]!) { syncInventory(records: $r) "
                     "{ userErrors { code } } }", {"r": [{"sku": SKU, "nodeCode": NODE, "onHand": on_hand}]})
        return sent

    def start_clients(self) -> int:
        total, processes = self.args.subscribers, self.args.clients
        url = f"ws://127.0.0.1:{self.port}/graphql"
        context = mp.get_context("spawn")
        for index in range(processes):
            count = total // processes + (1 if index < total % processes else 0)
            parent, child = context.Pipe()
            process = context.Process(target=client_process, daemon=True,
                                      args=(url, self.token, count, self.args.wait, child))
            process.start()
            self.clients.append((process, parent))
        ready = 0
        for _, pipe in self.clients:
            if not pipe.poll(self.args.deadline):
                raise SystemExit("clients did not connect in time")
            ready += pipe.recv()[1]
        return ready

    def deliver(self, on_hand: int) -> tuple[int, list[float], float]:
        """Change stock once; every client reports when each of its sockets heard of it.

        Returns how many heard, the latencies (sorted), and when the server had computed
        the new total (seconds after the mutation was sent)."""
        for _, pipe in self.clients:
            pipe.send(("expect", on_hand))
        sent = self.set_stock(on_hand)
        arrived: list[float] = []
        computed = float("nan")
        for _, pipe in self.clients:
            if pipe.poll(self.args.wait + 30):
                for got in pipe.recv()[1]:
                    if got is not None:
                        arrived.append(got[0] - sent)
                        computed = got[1] - sent
        return len(arrived), sorted(arrived), computed

    def stop(self) -> None:
        for process, pipe in self.clients:
            with contextlib.suppress(OSError):
                pipe.send("stop")
            process.join(20)
            if process.is_alive():
                process.terminate()
        if self.server is not None:
            self.server.terminate()
            self.server.wait(20)
        self.http.close()


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def report(label: str, wanted: int, arrived: int, latencies: list[float], computed: float) -> None:
    if not latencies:
        print(f"{label}: 0/{wanted} delivered")
        return
    print(f"{label}: {arrived}/{wanted} delivered  p50 {percentile(latencies, 0.5) * 1000:.0f} ms"
          f"  p99 {percentile(latencies, 0.99) * 1000:.0f} ms  max {latencies[-1] * 1000:.0f} ms"
          f"  mean {statistics.fmean(latencies) * 1000:.0f} ms"
          f"  (total computed after {computed * 1000:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--redis-url", help="default: none (in-process broker)")
    parser.add_argument("--changes", type=int, default=3, help="measured changes, 1 s apart")
    parser.add_argument("--wait", type=float, default=30, help="seconds to wait for deliveries")
    parser.add_argument("--deadline", type=float, default=600, help="seconds to connect everyone")
    args = parser.parse_args()
    if not 1 <= args.subscribers <= MAX_SUBSCRIBERS:
        raise SystemExit(f"--subscribers must be 1..{MAX_SUBSCRIBERS}")
    raise_fd_limit()
    bench = Bench(args)
    try:
        bench.start_server()
        assert bench.server is not None
        bench.seed()
        idle = rss_mb(bench.server.pid)
        started = time.monotonic()
        ready = bench.start_clients()
        print(f"{ready} subscribers connected in {time.monotonic() - started:.1f} s "
              f"({args.clients} client processes)")
        time.sleep(2)
        subscribed = rss_mb(bench.server.pid)
        report("warm-up change", ready, *bench.deliver(101))
        for number in range(1, args.changes + 1):
            time.sleep(1)
            report(f"change {number}", ready, *bench.deliver(101 + number))
        print(f"server RSS: {idle:.0f} MB idle, {subscribed:.0f} MB with {ready} subscribers, "
              f"{rss_mb(bench.server.pid):.0f} MB after delivery")
    finally:
        bench.stop()


if __name__ == "__main__":
    main()
