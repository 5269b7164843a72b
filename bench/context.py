"""What every phase of a run shares: the plan, the network, the server, the rows so far."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.api import Api
from bench.network import Network
from bench.plan import Plan
from bench.report import Row
from bench.servers import Server
from bench.wrk import WrkResult


@dataclass
class Context:
    plan: Plan
    network: Network
    env: dict[str, str]
    "The server's environment: OMS_DATABASE_URL, OMS_REDIS_URL, OMS_EVENTS_CHANNEL, BENCH_PLAN."
    workdir: Path
    token: str = ""
    server: Server | None = None
    rows: list[Row] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    "Figures that could not be produced, and broken invariants: the run exits non-zero."
    notes: list[str] = field(default_factory=list)
    bare: dict[str, WrkResult] = field(default_factory=dict)
    "P1's bare-Strawberry figure per shape, for the rows measured under load."
    raw: dict[str, WrkResult] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    @property
    def database_url(self) -> str:
        return self.env["OMS_DATABASE_URL"]

    @property
    def live(self) -> Server:
        if self.server is None:
            raise RuntimeError("no server running")
        return self.server

    def api(self) -> Api:
        return Api(self.live.url, self.token)

    def log(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {message}", flush=True)

    def fail(self, message: str) -> None:
        self.failures.append(message)
        self.log(f"FAILED: {message}")

    def check(self, result: WrkResult) -> WrkResult:
        """Log a wrk result; errors (not slowness) mean the figure was not produced."""
        self.log(result.line())
        if result.requests == 0 or result.status_errors or result.graphql_errors:
            self.fail(f"{result.label}: {result.requests} requests, {result.status_errors} non-200, "
                      f"{result.graphql_errors} GraphQL errors")
        return result
