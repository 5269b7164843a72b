"""The HTTP load generator: wrk (C, its own process) posting pre-generated bodies (bench/lua).

A run reports requests/s, p50/p99 and every kind of failure, and how much CPU wrk itself
used, so a reader can tell the generator was not the bottleneck.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua" / "bodies.lua"
GENERATOR = "wrk"


def available() -> bool:
    return shutil.which("wrk") is not None


def write_bodies(path: Path, bodies: list[str]) -> Path:
    path.write_text("\n".join(bodies) + "\n")
    return path


@dataclass(frozen=True)
class WrkResult:
    label: str
    connections: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    status_errors: int
    graphql_errors: int
    user_errors: int
    cpu_share: float
    "wrk's CPU time over wall time (1.0 = one core busy)."

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failures(self) -> int:
        return self.socket_errors + self.status_errors + self.graphql_errors

    def line(self) -> str:
        return (f"{self.label}: {self.rate:,.0f} req/s  p50 {self.p50_ms:.1f} ms  p99 {self.p99_ms:.1f} ms"
                f"  ({self.requests} requests, {self.connections} connections, socket errors "
                f"{self.socket_errors}, non-200 {self.status_errors}, GraphQL errors "
                f"{self.graphql_errors}, userErrors {self.user_errors}; {GENERATOR} CPU "
                f"{self.cpu_share:.0%} of a core)")


class WrkRun:
    """One wrk process, started now; `result()` waits for it (bounded by its duration)."""

    def __init__(self, label: str, url: str, bodies: Path, token: str, connections: int,
                 seconds: float, threads: int = 1, key_prefix: str = "") -> None:
        self.label, self.connections, self.seconds = label, connections, seconds
        self.out = bodies.with_suffix(f".{label.replace(' ', '_')}.{time.monotonic_ns()}.out")
        argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
                "--timeout", "10s", "--latency", "-s", str(LUA), url, "--", str(bodies), token]
        if key_prefix:
            argv.append(key_prefix)
        with self.out.open("wb") as sink:
            self.process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT)
        self.started = time.monotonic()

    def _wait(self) -> float:
        """Wait (at most the duration + 30 s); wrk's CPU seconds."""
        deadline = self.started + self.seconds + 30
        while time.monotonic() < deadline:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                self.process.returncode = os.waitstatus_to_exitcode(status)
                return usage.ru_utime + usage.ru_stime
            time.sleep(0.05)
        self.process.kill()
        raise RuntimeError(f"wrk {self.label} did not finish")

    def result(self) -> WrkResult:
        cpu = self._wait()
        wall = time.monotonic() - self.started
        text = self.out.read_text()
        line = next((ln for ln in text.splitlines() if ln.startswith("BENCH ")), None)
        if self.process.returncode != 0 or line is None:
            raise RuntimeError(f"wrk {self.label} failed: {text[-2000:]}")
        raw = json.loads(line.removeprefix("BENCH "))
        return WrkResult(
            label=self.label, connections=self.connections, requests=raw["requests"],
            seconds=raw["duration_us"] / 1e6, p50_ms=raw["p50_us"] / 1000,
            p99_ms=raw["p99_us"] / 1000, max_ms=raw["max_us"] / 1000,
            socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
            status_errors=raw["status_errors"], graphql_errors=raw["graphql_errors"],
            user_errors=raw["user_errors"], cpu_share=cpu / wall if wall else 0.0)


def run(label: str, url: str, bodies: Path, token: str, connections: int, seconds: float,
        warmup: float = 0, key_prefix: str = "") -> WrkResult:
    """Warm up (not measured), then measure for `seconds`."""
    if warmup:
        WrkRun(f"{label} warm-up", url, bodies, token, connections, warmup,
               key_prefix=f"{key_prefix}w" if key_prefix else "").result()
    return WrkRun(label, url, bodies, token, connections, seconds, key_prefix=key_prefix).result()
