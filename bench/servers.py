"""Server processes as a user starts them (`oms serve`, uvicorn), their health and memory.

Every server runs in a session of its own, so stopping it stops its workers too; every wait
has a deadline.
"""
from __future__ import annotations

import contextlib
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def raise_fd_limit() -> None:
    """Open files up to the hard limit (children inherit it: servers and clients)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oms_command() -> list[str]:
    """The `oms` console script next to this interpreter (as installed by pip), else the module."""
    script = Path(sys.executable).with_name("oms")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oms.cli"]


def run_oms(env: dict[str, str], *argv: str, timeout: float = 120) -> str:
    """Run one `oms` command to completion; its stdout."""
    out = subprocess.run([*oms_command(), *argv], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=timeout)
    return out.stdout.strip()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in task.read_text().split()]
    return found


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += _children(current)
    return pids


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its descendants (e.g. uvicorn's supervisor and workers), MB."""
    total = 0
    for member in tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by `pid` and its descendants."""
    ticks = 0
    for member in tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class Server:
    """One server process tree listening on 127.0.0.1:`port`; its output goes to `log`."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.name, self.argv, self.env, self.port, self.log = name, argv, env, port, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, health: str = "/healthz", timeout: float = 60) -> Server:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self._wait(health, timeout)
        return self

    def _wait(self, health: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}); see {self.log}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.url + health, timeout=5).status_code == 200:
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} not healthy after {timeout:.0f} s; see {self.log}")

    def rss_mb(self) -> float:
        assert self.process is not None
        return rss_mb(self.process.pid)

    def wait_idle(self, timeout: float = 60, busy: float = 0.15) -> float:
        """Wait until the server uses under `busy` of a core (work abandoned by a finished
        load generator is still running); seconds waited."""
        assert self.process is not None
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            before = cpu_seconds(self.process.pid)
            time.sleep(0.5)
            if cpu_seconds(self.process.pid) - before < busy * 0.5:
                break
        return time.monotonic() - started

    def stop(self, timeout: float = 20) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def oms_server(env: dict[str, str], workdir: Path, workers: int = 1) -> Server:
    """`oms serve [--workers N]` configured only through the environment, as documented."""
    port = free_port()
    env = {**env, "OMS_HOST": "127.0.0.1", "OMS_PORT": str(port)}
    argv = [*oms_command(), "serve", "--workers", str(workers)]
    return Server(f"oms serve --workers {workers}", argv, env, port, workdir / f"oms-{workers}w.log")


def baseline_server(kind: str, env: dict[str, str], workdir: Path) -> Server:
    """A baseline app (`bench.baselines`) under uvicorn's defaults, like `oms serve` runs ours."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--factory", f"bench.baselines:{kind}_app",
            "--host", "127.0.0.1", "--port", str(port)]
    return Server(f"{kind} baseline", argv, env, port, workdir / f"{kind}.log")
