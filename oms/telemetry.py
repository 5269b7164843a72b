"""Every Prometheus figure the service exports, defined here and only here.

One process counts into prometheus_client's default registry. Under
`oms serve --workers N` each worker writes its figures to files in
PROMETHEUS_MULTIPROC_DIR (set up by `oms serve` before the workers start) and a
scrape of any worker adds all of them up; the gauges count live processes only
(`livesum`, `livemax`), and a worker that died is forgotten at the next scrape.

Operation names come from clients, so as label values they are bounded: a name
that is not a GraphQL name of at most 64 characters, or one more than
`MAX_OPERATION_NAMES` distinct names in a process, is counted as `(other)`, and
an operation without a name as `(anonymous)`.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    multiprocess,
    start_http_server,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
OUTCOMES = frozenset({"ok", "refused", "fault"})
MAX_OPERATION_NAMES = 100
ANONYMOUS, OTHER = "(anonymous)", "(other)"
GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
# prometheus_client's multiprocess helpers carry no annotations.
_files_collector: Callable[..., Collector] = multiprocess.MultiProcessCollector
_mark_dead: Callable[[int, str], None] = multiprocess.mark_process_dead

REQUESTS = Counter("oms_requests", "GraphQL requests over HTTP, by operation name and outcome "
                   "(ok, refused: a coded refusal, 413 or 429; fault: ours)", ["operation", "outcome"])
LATENCY = Histogram("oms_request_duration_seconds", "Time to answer a GraphQL request over HTTP",
                    ["operation"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
WEBSOCKETS = Gauge("oms_websocket_connections", "Open websocket connections",
                   multiprocess_mode="livesum")
SUBSCRIPTIONS = Gauge("oms_subscriptions", "Running subscriptions", multiprocess_mode="livesum")
OUTBOX_LAG = Gauge("oms_outbox_lag_seconds", "Age of the oldest unpublished outbox event (0 when "
                   "none), sampled every few seconds", multiprocess_mode="livemax")
OUTBOX_PENDING = Gauge("oms_outbox_pending_events", "Unpublished outbox events, sampled",
                       multiprocess_mode="livemax")
EVENTS_PUBLISHED = Counter("oms_events_published", "Outbox events the relay published, by topic",
                           ["topic"])
SWEEPS = Counter("oms_reservation_sweeps", "Runs of the expired-reservation sweeper, by outcome",
                 ["outcome"])
RESERVATIONS_EXPIRED = Counter("oms_reservations_expired", "Cart holds the sweeper released")
DB_POOL_IN_USE = Gauge("oms_db_pool_connections_in_use", "PostgreSQL pool connections lent out "
                       "(asyncpg's size minus idle), sampled", multiprocess_mode="livesum")
DB_POOL_OPEN = Gauge("oms_db_pool_connections_open", "PostgreSQL pool connections open, sampled",
                     multiprocess_mode="livesum")


class OperationLabels:
    """Operation names as label values, at most `cap` distinct ones (then `(other)`)."""

    def __init__(self, cap: int = MAX_OPERATION_NAMES) -> None:
        self.cap = cap
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, name: object) -> str:
        if not name:
            return ANONYMOUS
        if not isinstance(name, str) or not GRAPHQL_NAME.match(name):
            return OTHER
        if name in self._seen:
            return name
        with self._lock:
            if len(self._seen) >= self.cap:
                return OTHER
            self._seen.add(name)
        return name


operation_label = OperationLabels()


def observe_request(entry: Mapping[str, Any], seconds: float) -> None:
    """Count one HTTP request from its log entry (`oms.http`); only GraphQL requests, the
    ones with an outcome, are counted."""
    outcome = entry.get("outcome")
    if outcome is None:
        return
    operation = operation_label(entry.get("operation"))
    REQUESTS.labels(operation, outcome if outcome in OUTCOMES else "fault").inc()
    LATENCY.labels(operation).observe(seconds)


def published(topics: Iterable[str]) -> None:
    """Count events the relay has published (after its transaction committed)."""
    for topic in topics:
        EVENTS_PUBLISHED.labels(topic).inc()


def exposition(accept: str | None) -> tuple[bytes, str]:
    """What a scrape gets (its body and content type, in the format its `Accept` asks for):
    this process's figures, or every worker's added up."""
    encode, content_type = choose_encoder(accept or "")
    return encode(registry()), content_type


def registry() -> CollectorRegistry:
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        return REGISTRY
    workers = CollectorRegistry()
    workers.register(AllWorkers(directory))
    return workers


class AllWorkers(Collector):
    """prometheus_client's multiprocess collector, first forgetting the live gauges of
    workers that died (uvicorn restarts them without telling anyone)."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.files = _files_collector(None, path=directory)

    def collect(self) -> Iterable[Metric]:
        forget_dead_workers(self.directory)
        return self.files.collect()


def forget_dead_workers(directory: str) -> None:
    for path in Path(directory).glob("gauge_live*_*.db"):
        pid = path.stem.rpartition("_")[2]
        if pid.isdigit() and not _alive(int(pid)):
            _mark_dead(int(pid), directory)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_stopped() -> None:
    """A worker leaving: its live gauges no longer count."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        _mark_dead(os.getpid(), directory)


@contextlib.contextmanager
def shared_between_workers() -> Iterator[str]:
    """PROMETHEUS_MULTIPROC_DIR for worker processes about to start (they inherit the
    environment): the one given, emptied, or a temporary one, removed afterwards."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield given
        return
    directory = tempfile.mkdtemp(prefix="oms-metrics-")
    os.environ[MULTIPROC_ENV] = directory
    try:
        yield directory
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(directory, ignore_errors=True)


def serve_on_port(host: str, port: int) -> None:
    """Serve /metrics on a port of its own, from a thread of this process."""
    start_http_server(port, addr=host, registry=registry())
