"""What a result was measured on: commit, machine, versions (written beside the table)."""
from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg
import redis

from bench.plan import Plan
from bench.servers import ROOT


def _git(*argv: str) -> str:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        return subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    return "?"


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def _memory_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


async def _postgres(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def _services(env: dict[str, str]) -> dict[str, str]:
    found = {"postgresql": "?", "redis": "?"}
    with contextlib.suppress(Exception):
        found["postgresql"] = asyncio.run(_postgres(env["OMS_DATABASE_URL"]))
    with contextlib.suppress(Exception):
        found["redis"] = str(redis.Redis.from_url(env["OMS_REDIS_URL"]).info("server")["redis_version"])
    return found


def _wrk() -> str:
    with contextlib.suppress(OSError):
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
        return (out.stdout or out.stderr).splitlines()[0].strip()
    return "?"


def describe(plan: Plan, env: dict[str, str], seconds: float) -> dict[str, Any]:
    dirty = " (with uncommitted changes)" if _git("status", "--porcelain", "--untracked-files=no") else ""
    return {
        "commit": _git("rev-parse", "--short", "HEAD") + dirty,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "plan": f"{plan.name}: {plan.nodes} nodes x {plan.skus:,} SKUs, {plan.seconds:g} s per wrk run",
        "machine": f"{os.cpu_count()} cores, {_cpu_model()}, {_memory_gb():.0f} GB",
        "python": platform.python_version(),
        **_services(env),
        **{name: version(name) for name in ("strawberry-graphql", "tortoise-orm", "uvicorn", "starlette")},
        "load generators": f"{_wrk()} (HTTP, bench/lua/bodies.lua); asyncio + websockets "
                           f"{version('websockets')} client processes (P3)",
        "run took": f"{seconds:.0f} s",
    }
