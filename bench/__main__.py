"""`python -m bench`: the OMS measured through its public API, beside same-run baselines.

Prepares a network on PostgreSQL + Redis, starts `oms serve` as a user does, drives it from
separate load-generator processes (wrk; asyncio websocket clients for P3), prints one table
and writes it to bench/results/last.md and last.json. See BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench import http_phases, ingest, network, prepare, queries, report, subscribers, wrk
from bench.context import Context
from bench.environment import describe
from bench.plan import FULL, SMOKE
from bench.report import Row
from bench.servers import ROOT, oms_server, raise_fd_limit

FIGURES = ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "RSS")
OWN_SETUP = {"P5", "P6", "P7"}
"""Figures that prepare what they need (P5, P6: the pure engine, nothing; P7: a database and
server of its own): they need neither the shared network nor wrk."""
RSS_TARGET = "<= 1 GB"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small network, short runs (CI)")
    parser.add_argument("--only", help=f"comma-separated figures out of {','.join(FIGURES)}")
    parser.add_argument("--database-url",
                        default=os.environ.get("OMS_BENCH_DATABASE_URL",
                                               "postgres://postgres@127.0.0.1:5432/oms_bench"),
                        help="a database of its own: its public schema is dropped")
    parser.add_argument("--redis-url", default=os.environ.get("OMS_BENCH_REDIS_URL",
                                                              "redis://127.0.0.1:6379/0"))
    parser.add_argument("--seconds", type=float, help="length of each wrk measurement")
    parser.add_argument("--load", choices=("auto", "import", "sql"), default="auto",
                        help="how the network's positions are loaded (P4 always measures the product)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, bodies)")
    args = parser.parse_args(argv)
    args.figures = set(FIGURES) if not args.only else {f.strip().upper() for f in args.only.split(",")}
    if args.figures - set(FIGURES):
        parser.error(f"--only: unknown {sorted(args.figures - set(FIGURES))}")
    return args


def _warm(ctx: Context) -> None:
    """One request of each P1 shape, so the idle figure is of a server that has served."""
    headers = {"Authorization": f"Bearer {ctx.token}", "Content-Type": "application/json"}
    for shape in queries.SHAPES:
        body = queries.bodies(shape, ctx.network, 1)[0]
        httpx.post(ctx.live.url + "/graphql", content=body, headers=headers, timeout=120)


def _rss_row(ctx: Context, label: str, target: str = RSS_TARGET) -> None:
    rss = ctx.live.rss_mb()
    positions = len(ctx.network.positions)
    met = rss <= 1024 if target else None
    ctx.rows.append(Row(f"Server RSS, {positions:,} positions, {label}", f"{rss:,.0f} MB",
                        target=target, met=met, values={"rss_mb": rss}))
    ctx.log(f"server RSS {label}: {rss:,.0f} MB")


def _restart(ctx: Context, workers: int) -> None:
    if ctx.server is not None:
        ctx.server.stop()
    ctx.server = oms_server(ctx.env, ctx.workdir, workers).start(timeout=120)
    ctx.log(f"started {ctx.server.name} on {ctx.server.url}")


def _setup(ctx: Context, load: str) -> None:
    ctx.token = prepare.reset_and_migrate(ctx.env)
    _restart(ctx, 1)
    api = ctx.api()
    try:
        prepare.configure(api, ctx.network)
    finally:
        api.close()
    ctx.log(f"configured {len(ctx.network.nodes)} nodes, 4 channels, 2 rules through the API")
    how = prepare.load_positions(ctx.env, ctx.network, load, ctx.workdir)
    ctx.notes.append(f"network positions loaded by {how}")
    ctx.log(how)
    _restart(ctx, 1)  # the server starts with the positions, as after a deploy
    _warm(ctx)
    time.sleep(1)


def _server_died(ctx: Context) -> bool:
    server = ctx.server
    return server is not None and server.process is not None and server.process.poll() is not None


def _revive(ctx: Context, name: str) -> None:
    """Restart a server that something outside the run stopped (a shared machine), and say so."""
    assert ctx.server is not None and ctx.server.process is not None
    ctx.notes.append(f"{ctx.server.name} was stopped from outside the run (exit "
                     f"{ctx.server.process.returncode}) around {name}; restarted")
    ctx.log(ctx.notes[-1])
    _restart(ctx, 2 if "2" in ctx.server.name else 1)


def _guarded(ctx: Context, name: str, phase: Callable[[], None], attempts: int = 2) -> None:
    """Run one phase; an exception is a figure not produced (the run goes on). A phase whose
    server was stopped from outside is run once more on a restarted server."""
    for attempt in range(1, attempts + 1):
        ctx.log(f"{name} ...")
        if _server_died(ctx):
            _revive(ctx, name)
        rows, failures = len(ctx.rows), len(ctx.failures)
        try:
            phase()
            return
        except Exception as exc:  # noqa: BLE001 - every other phase still runs
            if attempt < attempts and _server_died(ctx):
                del ctx.rows[rows:], ctx.failures[failures:]
                continue
            ctx.fail(f"{name}: {type(exc).__name__}: {exc}")
            return


def _p5(ctx: Context) -> None:
    """In a fresh interpreter: this one holds the whole network, and its GC would show in p99."""
    out = subprocess.run([sys.executable, "-m", "bench.sourcing_decision", "--json",
                          "--runs", str(ctx.plan.sourcing_runs)], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=300)
    for t in json.loads(out.stdout):
        ctx.rows.append(Row(f"P5 sourcing decision, 5 lines / 1,000 nodes, {t['label']} (in-process)",
                            f"p50 {t['p50_ms']:.2f} ms, p99 {t['p99_ms']:.2f} ms (with its "
                            f"explanation read: p50 {t['explained_p50_ms']:.2f} ms, p99 "
                            f"{t['explained_p99_ms']:.2f} ms)", target="p99 <= 5 ms",
                            met=t["p99_ms"] <= 5, values=t))


def _p7(ctx: Context, database_url: str) -> None:
    """The replay bench in a process of its own, on a database of its own beside the run's."""
    plan = ctx.plan
    out = subprocess.run([sys.executable, "-m", "bench.replay", "--json",
                          "--orders", str(plan.replay_orders), "--nodes", str(plan.replay_nodes),
                          "--skus", str(plan.replay_skus), "--database-url", database_url],
                         cwd=ROOT, check=True, capture_output=True, text=True, timeout=1800)
    found = json.loads(out.stdout)
    floor = found["floor_ms"]
    for t in found["timings"]:
        api = t["how"].startswith("HTTP")
        ctx.rows.append(Row(
            f"P7 replaySourcing, {t['orders']:,} orders / {plan.replay_nodes} nodes, {t['label']}, "
            + ("HTTP to oms serve" if api else "in-process"),
            f"{t['orders_per_second']:,.0f} orders/s ({t['elapsed_ms']:,.0f} ms"
            + (f"; {{ __typename }} {floor:.1f} ms)" if api else ")"),
            target=">= 2,000 orders/s" if api else "", met=t["orders_per_second"] >= 2000
            if api else None, values={**t, "floor_ms": floor}))


def _p6(ctx: Context) -> None:
    """In a fresh interpreter, like P5: the decision times are printed beside the optimality."""
    out = subprocess.run([sys.executable, "-m", "bench.sourcing_optimality", "--json",
                          "--orders", str(ctx.plan.optimality_orders)], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=600)
    found = json.loads(out.stdout)
    engine, greedy = found["engine"], found["greedy"]
    orders = engine["orders"]
    label = (f"P6 sourcing optimality, {orders:,} random orders over 60-200 nodes "
             f"({found['split_orders']} split) vs brute force")
    for name, tally, target in (("", engine, ">= 99% at optimum shipments, excess distance <= 1%"),
                                (", greedy cover alone (before)", greedy, "")):
        share = tally["at_optimal_shipments"] / orders
        excess = tally["excess_km_pct"] / orders
        ctx.rows.append(Row(
            f"{label}{name} (in-process)",
            f"{share:.1%} at optimum shipments ({tally['extra_shipments']} extra, "
            f"{tally['units_short']} units short), {tally['at_optimum'] / orders:.1%} at the optimum, "
            f"excess distance {excess:.2f}%",
            target=target, met=(share >= 0.99 and excess <= 1) if target else None, values=tally))
    ctx.rows.append(Row(f"P6 decide() on those orders, {found['exact']} EXACT / {found['heuristic']} "
                        f"HEURISTIC (in-process)",
                        f"p50 {found['p50_ms']:.2f} ms, p99 {found['p99_ms']:.2f} ms",
                        values={k: found[k] for k in ("exact", "heuristic", "p50_ms", "p99_ms")}))
    if found["mismatched_exact"]:
        ctx.fail(f"P6: orders {found['mismatched_exact']} labelled EXACT are not the optimum")


def _through_the_api(ctx: Context, figures: set[str], load: str) -> None:
    _setup(ctx, load)
    if "RSS" in figures:
        _rss_row(ctx, "idle (1 process)")
    if "P1" in figures:
        _guarded(ctx, "P1", lambda: http_phases.p1(ctx))
    if "P2" in figures:
        _guarded(ctx, "P2 (1 process)", lambda: http_phases.p2(ctx, 1, with_reads=True))
    if "P3" in figures:
        _guarded(ctx, "P3", lambda: subscribers.p3(ctx))
    if "P4" in figures:
        _guarded(ctx, "P4 syncInventory", lambda: ingest.sync_over_http(ctx))
    if "RSS" in figures:
        _rss_row(ctx, "after load (1 process)")
    if "P2" in figures:
        _restart(ctx, 2)
        _guarded(ctx, "P2 (--workers 2)", lambda: http_phases.p2(ctx, 2, with_reads=False))
        _rss_row(ctx, "after P2 (--workers 2, sum of processes)", target="")
    ctx.live.stop()
    ctx.server = None
    if "P4" in figures:
        _guarded(ctx, "P4 import-inventory", lambda: ingest.import_inventory(ctx))


def run(ctx: Context, figures: set[str], load: str) -> None:
    if figures - OWN_SETUP:
        _through_the_api(ctx, figures, load)
    if "P5" in figures:
        _guarded(ctx, "P5", lambda: _p5(ctx))
    if "P6" in figures:
        _guarded(ctx, "P6", lambda: _p6(ctx))
    if "P7" in figures:
        replay_db = ctx.env["OMS_DATABASE_URL"] + "_replay"
        _guarded(ctx, "P7", lambda: _p7(ctx, replay_db), attempts=1)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.figures - OWN_SETUP and not wrk.available():
        sys.exit("wrk is not installed: apt-get install -y wrk")
    raise_fd_limit()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    plan = (SMOKE if args.smoke else FULL).with_seconds(args.seconds)
    workdir = Path(tempfile.mkdtemp(prefix="oms-bench-"))
    env = {**os.environ, "OMS_DATABASE_URL": args.database_url, "OMS_REDIS_URL": args.redis_url,
           "OMS_EVENTS_CHANNEL": f"oms:bench:{os.getpid()}", "BENCH_PLAN": plan.name}
    ctx = Context(plan, network.build(plan), env, workdir)
    ctx.log(f"{plan.name} run: {plan.nodes} nodes x {plan.skus:,} SKUs "
            f"({len(ctx.network.positions):,} positions); work directory {workdir}")
    try:
        run(ctx, args.figures, args.load)
    except Exception as exc:  # noqa: BLE001 - the table is still printed
        ctx.fail(f"run stopped: {type(exc).__name__}: {exc}")
    finally:
        if ctx.server is not None:
            ctx.server.stop()
    meta = describe(plan, env, time.monotonic() - ctx.started)
    print("\n" + report.text_table(ctx.rows) + "\n")
    for note in ctx.notes:
        print(f"- {note}")
    print(f"\nwritten to {report.write(ctx.rows, meta, ctx.notes)}")
    if not args.keep and not ctx.failures:
        shutil.rmtree(workdir, ignore_errors=True)
    for failure in ctx.failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if ctx.failures else 0


if __name__ == "__main__":
    sys.exit(main())
