"""/metrics in Prometheus text: requests by operation and outcome, latency, live sockets and
subscriptions, the outbox backlog, the relay and the sweeper; bounded operation labels; off or
on a port of its own; and under `oms serve --workers 2` every worker's counts added up."""
from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import multiprocess
from prometheus_client.parser import text_string_to_metric_families

from oms import telemetry
from oms.app import create_app
from oms.clock import now
from oms.config import Settings
from oms.models import OutboxEvent
from oms.sampler import sample_once
from tests.conftest import ROOT
from tests.helpers import ADJUST, channel, node, stock
from tests.servers import eventually, free_port, live_server, ws_session

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(http: httpx.AsyncClient, path: str = "/metrics") -> Samples:
    response = await http.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(response.text)


async def test_requests_are_counted_by_operation_and_outcome(api: Any) -> None:
    before = await scrape(api.client)
    for _ in range(3):
        await api("query Shops { channels { code } }")
    refused = await api.raw("query Shops { apiTokens { name } }", token="")
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await api.raw("{ channels { code } }")
    await api.client.get("/graphql", headers={"Accept": "text/html"})  # GraphiQL: no operation
    after = await scrape(api.client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("oms_requests_total", operation="Shops", outcome="ok") == 3
    assert grew("oms_requests_total", operation="Shops", outcome="refused") == 1
    assert grew("oms_requests_total", operation="(anonymous)", outcome="ok") == 1
    assert grew("oms_request_duration_seconds_count", operation="Shops") == 4
    assert grew("oms_request_duration_seconds_bucket", operation="Shops", le="+Inf") == 4
    total = sum(v for (name, _), v in after.items() if name == "oms_requests_total")
    assert total - sum(v for (name, _), v in before.items() if name == "oms_requests_total") == 5


async def test_refusals_at_the_edge_count_as_refused(database: Settings, admin_token: str) -> None:
    app = create_app(replace(database, max_body_bytes=1000), manage_db=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as http:
            before = await scrape(http)
            big = await http.post("/graphql", json={"query": "query Big { __typename }",
                                                    "variables": {"pad": "x" * 2000}})
            assert big.status_code == 413
            after = await scrape(http)
    labels = {"operation": "(anonymous)", "outcome": "refused"}
    assert value(after, "oms_requests_total", **labels) - value(before, "oms_requests_total", **labels) == 1


def test_operation_labels_are_bounded() -> None:
    label = telemetry.OperationLabels(cap=2)
    assert [label("A"), label("B"), label("A")] == ["A", "B", "A"]
    assert label("C") == telemetry.OTHER  # a third distinct name
    assert label(None) == label("") == telemetry.ANONYMOUS
    assert label("x" * 65) == label("not a name") == label("A{") == telemetry.OTHER


async def test_open_websockets_and_subscriptions_are_gauged(database: Settings, admin_token: str) -> None:
    async with live_server(database, admin_token) as server:
        await channel(server.api, "web")

        async def gauges() -> tuple[float, float]:
            samples = await scrape(server.api.client)
            return value(samples, "oms_websocket_connections"), value(samples, "oms_subscriptions")

        sockets, subscriptions = await gauges()
        async with ws_session(server.ws_url, admin_token) as ws:
            ws.subscribe('subscription { stockUpdates(channel: "web") { sku } }')
            await eventually(lambda: _gauges_are(gauges, (sockets + 1, subscriptions + 1)))
        await eventually(lambda: _gauges_are(gauges, (sockets, subscriptions)))


async def _gauges_are(gauges: Any, expected: tuple[float, float]) -> bool:
    return bool(await gauges() == expected)


async def test_the_sampler_measures_the_outbox_backlog(database: Settings) -> None:
    event = await OutboxEvent.create(topic="stock.changed", payload={"skus": ["A"]})
    await OutboxEvent.filter(id=event.id).update(created_at=now() - timedelta(seconds=90))
    await sample_once()
    assert telemetry.OUTBOX_PENDING._value.get() == 1
    assert 90 <= telemetry.OUTBOX_LAG._value.get() < 120
    await OutboxEvent.filter(id=event.id).update(published_at=now())
    await sample_once()
    assert telemetry.OUTBOX_PENDING._value.get() == 0 and telemetry.OUTBOX_LAG._value.get() == 0
    if database.is_postgres:  # SQLite has one connection, no pool to measure
        assert telemetry.DB_POOL_OPEN._value.get() >= 1


async def test_the_relay_and_the_sweeper_are_counted(api: Any) -> None:
    before = await scrape(api.client)
    await node(api, "WH1")
    await stock(api, ("A", "WH1", 5))
    await api(ADJUST, {"adjustments": [{"sku": "A", "nodeCode": "WH1", "delta": 1}]})

    async def counted() -> bool:
        after = await scrape(api.client)
        published = value(after, "oms_events_published_total", topic="stock.changed")
        sweeps = value(after, "oms_reservation_sweeps_total", outcome="ok")
        return (published >= value(before, "oms_events_published_total", topic="stock.changed") + 2
                and sweeps > value(before, "oms_reservation_sweeps_total", outcome="ok"))

    await eventually(counted, within=10)


async def test_metrics_can_be_turned_off_or_moved(database: Settings) -> None:
    for settings in (replace(database, metrics=False), replace(database, metrics_port=free_port())):
        app = create_app(settings, manage_db=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as http:
            assert (await http.get("/metrics")).status_code == 404
        jobs = [name for name, _ in app.state.runtime.jobs]
        assert ("metrics-sampler" in jobs) is settings.metrics


@contextlib.contextmanager
def oms_serve(env: dict[str, str], *args: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-m", "oms.cli", "serve", *args],
                               env={**os.environ, **env}, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(30)


async def started(http: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> None:
    async def healthy() -> bool:
        assert process.poll() is None, "oms serve died at start-up"
        with contextlib.suppress(httpx.TransportError):
            return (await http.get("/healthz")).status_code == 200
        return False

    await eventually(healthy, within=60)


@contextlib.asynccontextmanager
async def fresh_connections(port: int) -> AsyncIterator[httpx.AsyncClient]:
    """A new connection per request, so a multi-worker server spreads them over its workers."""
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as http:
        yield http


async def test_oms_serve_serves_metrics_on_a_port_of_their_own(database: Settings, tmp_path: Path) -> None:
    port, metrics_port = free_port(), free_port()
    env = {"OMS_DATABASE_URL": f"sqlite://{tmp_path}/own.sqlite3", "OMS_REDIS_URL": "",
           "OMS_METRICS_PORT": str(metrics_port), "OMS_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "0"}
    with oms_serve(env, "--port", str(port)) as process:
        async with fresh_connections(port) as http:
            await started(http, process)
            for _ in range(3):
                answer = await http.post("/graphql", json={"query": "query Ping { __typename }"})
                assert answer.status_code == 200
            assert (await http.get("/metrics")).status_code == 404
            samples = await scrape(http, f"http://127.0.0.1:{metrics_port}/metrics")
    assert value(samples, "oms_requests_total", operation="Ping", outcome="ok") == 3


def per_worker(directory: Path) -> dict[str, float]:
    """What each worker's own file says it counted for `CountMe`."""
    counts = {}
    for path in directory.glob("counter_*.db"):
        families = multiprocess.MultiProcessCollector.merge([str(path)], accumulate=True)
        counts[path.stem] = sum(s.value for f in families for s in f.samples
                                if s.name == "oms_requests_total" and s.labels.get("operation") == "CountMe")
    return counts


@pytest.mark.skipif(not os.environ.get("OMS_TEST_DATABASE_URL") or not os.environ.get("OMS_TEST_REDIS_URL"),
                    reason="oms serve --workers needs PostgreSQL and Redis (OMS_TEST_DATABASE_URL, "
                           "OMS_TEST_REDIS_URL)")
async def test_workers_counts_add_up(database: Settings, admin_token: str, tmp_path: Path) -> None:
    port = free_port()
    shared = tmp_path / "prometheus"
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"left by an earlier run")  # must be wiped at start
    env = {"OMS_DATABASE_URL": database.database_url, "OMS_REDIS_URL": database.redis_url or "",
           "OMS_EVENTS_CHANNEL": database.events_channel, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    headers = {"Authorization": f"Bearer {admin_token}"}
    sent = 0
    with oms_serve(env, "--workers", "2", "--port", str(port)) as process:
        async with fresh_connections(port) as http:
            await started(http, process)
            assert not (shared / "counter_1.db").exists()
            for _ in range(10):  # until both workers have answered some (the kernel picks)
                answers = await asyncio.gather(*(http.post(
                    "/graphql", json={"query": "query CountMe { __typename }"}, headers=headers)
                    for _ in range(20)))
                assert all(a.status_code == 200 for a in answers)
                sent += len(answers)
                if len([c for c in per_worker(shared).values() if c > 0]) >= 2:
                    break
            counts = per_worker(shared)
            scrapes = [await scrape(http) for _ in range(6)]
    assert len([c for c in counts.values() if c > 0]) == 2, counts
    assert sum(counts.values()) == sent
    for samples in scrapes:  # whichever worker answered the scrape
        assert value(samples, "oms_requests_total", operation="CountMe", outcome="ok") == sent
