"""A hostile client against `oms serve` (its own process, as in production): depth, alias,
cost, token and batch bombs, oversized bodies, a request flood and websockets that never
init are all refused before they run, with their codes, while `/healthz` keeps answering
within 100 ms (95 probes in 100; none stalls)."""
from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable

import httpx
import pytest
import websockets

from tests.servers import oms_serve

HEALTHZ_BUDGET_SECONDS = 0.100
HEALTHZ_STALL_SECONDS = 0.250


def code_of(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


def attacks(token: str) -> dict[str, tuple[Callable[[httpx.AsyncClient], Awaitable[httpx.Response]],
                                          Callable[[httpx.Response], bool]]]:
    """What each bomb sends, and how its refusal must look."""
    auth = {"Authorization": f"Bearer {token}"}

    def graphql(query: str) -> Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]:
        return lambda client: client.post("/graphql", json={"query": query}, headers=auth)

    def coded(code: str, status: int = 200) -> Callable[[httpx.Response], bool]:
        return lambda r: r.status_code == status and code_of(r) == code

    deep = "{ orders { edges { node { " + "fulfillments { order { " * 30 + "id" + " } }" * 30 \
        + " } } } }"
    aliases = "{ " + " ".join(f"a{i}: channels {{ code }}" for i in range(1_000)) + " }"
    costly = "{ orders(first: 250) { edges { node { lines { sku } fulfillments { lines { sku } " \
        "order { lines { sku } fulfillments { id } } } } } } }"
    tokens = "{ " + " ".join("channels { code }" for _ in range(8_000)) + " }"
    return {
        "depth": (graphql(deep), coded("QUERY_TOO_COMPLEX")),
        "aliases": (graphql(aliases), coded("QUERY_TOO_COMPLEX")),
        "cost": (graphql(costly), coded("QUERY_TOO_COMPLEX")),
        "tokens": (graphql(tokens), lambda r: r.status_code in (200, 400) and "errors" in r.json()),
        "batch": (lambda client: client.post("/graphql", json=[{"query": "{ channels { code } }"}] * 200,
                                             headers=auth), lambda r: r.status_code == 400),
        "oversized": (lambda client: client.post("/graphql", content=b"{" + b" " * 3_000_000 + b"}",
                                                 headers={**auth, "content-type": "application/json"}),
                      lambda r: r.status_code == 413),
    }


PROBE = """
import http.client, json, sys, threading, time
done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
took = []
while not done.is_set():
    conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
    started = time.perf_counter()
    conn.request("GET", "/healthz")
    answer = conn.getresponse()
    answer.read()
    took.append((time.perf_counter() - started, answer.status))
    conn.close()
    time.sleep(0.02)
print(json.dumps(took))
"""


async def while_probed(port: int, work: Awaitable[object]) -> list[float]:
    """Seconds each /healthz took while `work` ran, asked every 20 ms by a process of its own
    (so the attackers' own work in this process does not count); every answer must be 200."""
    prober = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PROBE, str(port), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    await asyncio.sleep(0.3)
    try:
        await work
    finally:
        out, _ = await prober.communicate(b"")
    probes = json.loads(out)
    assert all(status == 200 for _, status in probes)
    return [seconds for seconds, _ in probes]


async def try_bombs(client: httpx.AsyncClient, token: str, outcomes: dict[str, list[bool]]) -> None:
    """One hostile client, trying each bomb in turn."""
    for name, (send, refused) in attacks(token).items():
        for _ in range(10):
            outcomes.setdefault(name, []).append(refused(await send(client)))


async def flood(client: httpx.AsyncClient, token: str, outcomes: dict[str, list[bool]]) -> None:
    """120 requests on 4 connections from a token allowed 30 a minute."""
    gate = asyncio.Semaphore(4)

    async def one() -> httpx.Response:
        async with gate:
            return await client.post("/graphql", json={"query": "{ channels { code } }"},
                                     headers={"Authorization": f"Bearer {token}"})
    answers = await asyncio.gather(*[one() for _ in range(120)])
    statuses = sorted({a.status_code for a in answers})
    limited = [a for a in answers if a.status_code == 429]
    assert statuses == [200, 429] and len(limited) == 90, (statuses, len(limited))
    outcomes["flood"] = [code_of(a) == "RATE_LIMITED" and int(a.headers["retry-after"]) >= 1
                         for a in limited]


async def silent_sockets(base: str, outcomes: dict[str, list[bool]]) -> None:
    """30 websockets that never send connection_init."""
    url = base.replace("http", "ws") + "/graphql"
    sockets = [await websockets.connect(url, subprotocols=["graphql-transport-ws"]) for _ in range(30)]
    for ws in sockets:
        with contextlib.suppress(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
    outcomes["silent sockets"] = [ws.close_code == 4408 for ws in sockets]


async def test_bombs_floods_and_silent_sockets_are_refused_while_healthz_stays_fast(
        database, admin_token, tmp_path):
    outcomes: dict[str, list[bool]] = {}
    env = {"OMS_DATABASE_URL": database.database_url, "OMS_REDIS_URL": database.redis_url or "",
           "OMS_EVENTS_CHANNEL": f"{database.events_channel}:abuse", "OMS_WS_INIT_TIMEOUT_SECONDS": "1"}
    async with oms_serve(env, admin_token, tmp_path) as server:
        base, client = f"http://127.0.0.1:{server.port}", server.api.client
        created = await client.post("/graphql", headers={"Authorization": f"Bearer {admin_token}"},
                                    json={"query": 'mutation { createApiToken(input: {name: "flood", '
                                          'scopes: ["admin"], rateLimit: 30}) { secret } }'})
        flooder = created.json()["data"]["createApiToken"]["secret"]
        quiet = await while_probed(server.port, asyncio.sleep(3.0))
        attacked = await while_probed(server.port, asyncio.gather(
            try_bombs(client, admin_token, outcomes), flood(client, flooder, outcomes),
            silent_sockets(base, outcomes)))
    assert sorted(name for name, results in outcomes.items() if not all(results)) == []
    assert len(outcomes) == len(attacks("x")) + 2 and len(attacked) >= 10
    # 95 probes in 100 within 100 ms, and none stalled: on 2 shared cores a lone probe is
    # now and then descheduled for longer than the server takes (the quiet baseline, same
    # run, shows it), which says nothing about the server.
    slowest, typical = max(attacked), sorted(attacked)[int(len(attacked) * 0.95)]
    figures = (f"under attack: p95 {typical * 1000:.0f} ms, max {slowest * 1000:.0f} ms; "
               f"quiet: max {max(quiet) * 1000:.0f} ms")
    assert typical < HEALTHZ_BUDGET_SECONDS and slowest < HEALTHZ_STALL_SECONDS, figures


@pytest.mark.parametrize("name", list(attacks("x")))
async def test_each_bomb_is_refused_before_it_runs(api, name):
    send, refused = attacks(api.token)[name]
    response = await send(api.client)
    assert refused(response), response.text[:300]
