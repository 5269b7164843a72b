"""P1 (availability, beside the baselines) and P2 (placement, with the oversell check), via wrk."""
from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

from bench import placement, queries, wrk
from bench.context import Context
from bench.report import Row, http_cell, http_values
from bench.servers import Server, baseline_server
from bench.wrk import WrkResult, WrkRun

P1_TARGET = ">= 0.8x bare, p99 <= 15 ms"
P2_TARGET = ">= 300 orders/s, p99 <= 250 ms"
SHAPE_LABELS = {"availability": "availability, 50 SKUs (web/app)",
                "pickup": "pickup availability, 50 SKUs, near, limit 5"}


def _bodies(ctx: Context, name: str, bodies: list[str]) -> Path:
    return wrk.write_bodies(ctx.workdir / f"{name}.jsonl", bodies)


def _measure(ctx: Context, label: str, server: Server, bodies: Path, connections: int,
             key_prefix: str = "") -> WrkResult:
    result = wrk.run(label, server.url + "/graphql", bodies, ctx.token, connections,
                     ctx.plan.seconds, ctx.plan.warmup, key_prefix)
    server.wait_idle()
    return ctx.check(result)


def _same_answer(ctx: Context, shape: str, bodies: Path, bare: Server) -> None:
    """Note whether ours and the bare app answer the first body identically (same data)."""
    body = bodies.read_text().splitlines()[0]
    headers = {"Authorization": f"Bearer {ctx.token}", "Content-Type": "application/json"}
    answers = [httpx.post(s.url + "/graphql", content=body, headers=headers, timeout=120).json()
               for s in (ctx.live, bare)]
    same = answers[0].get("data") == answers[1].get("data")  # ours also reports extensions.cost
    ctx.notes.append(f"P1 {shape}: ours and bare Strawberry give {'the same' if same else 'DIFFERENT'} "
                     f"answer to the first body ({len(json.dumps(answers[0]))} bytes)")


def _p1_row(ctx: Context, shape: str, ours: WrkResult, suffix: str = "") -> Row:
    bare, raw = ctx.bare.get(shape), ctx.raw.get(shape)
    ratio = ours.rate / bare.rate if bare and bare.rate else None
    met = None if ratio is None else (ratio >= 0.8 and ours.p99_ms <= 15)
    return Row(f"P1 {SHAPE_LABELS[shape]}, {ours.connections} conns{suffix}", http_cell(ours),
               http_cell(bare), http_cell(raw), "" if ratio is None else f"{ratio:.2f}x",
               P1_TARGET, met, {"ours": http_values(ours), "bare": http_values(bare),
                                "raw": http_values(raw)})


def p1(ctx: Context) -> None:
    """Each shape against ours, the bare Strawberry app and the raw Starlette endpoint."""
    env = {**ctx.env, "BENCH_PLAN": ctx.plan.name}
    bare = baseline_server("strawberry", env, ctx.workdir).start(timeout=120)
    raw = baseline_server("starlette", env, ctx.workdir).start(timeout=120)
    try:
        for shape in queries.SHAPES:
            bodies = _bodies(ctx, shape, queries.bodies(shape, ctx.network, ctx.plan.distinct_bodies))
            _same_answer(ctx, shape, bodies, bare)
            conns = ctx.plan.p1_connections
            ours = _measure(ctx, f"P1 {shape} ours", ctx.live, bodies, conns)
            ctx.bare[shape] = _measure(ctx, f"P1 {shape} bare Strawberry", bare, bodies, conns)
            ctx.raw[shape] = _measure(ctx, f"P1 {shape} raw Starlette", raw, bodies, conns)
            ctx.rows.append(_p1_row(ctx, shape, ours))
    finally:
        bare.stop()
        raw.stop()


def _p2_row(ctx: Context, result: WrkResult, workers: int, suffix: str = "") -> Row:
    met = None
    if workers > 1 and not suffix:
        met = result.rate >= 300 and result.p99_ms <= 250 and not result.failures
    cell = (f"{http_cell(result, 'orders/s')}; userErrors {result.user_errors}, "
            f"HTTP/GraphQL/socket errors {result.failures}")
    return Row(f"P2 placeOrder, 2 lines, {result.connections} conns, --workers {workers}{suffix}", cell,
               target=P2_TARGET if workers > 1 else "", met=met, values=http_values(result))


def _key(workers: int, label: str) -> str:
    return f"b{os.getpid()}-{workers}w-{label}"


def _concurrent(ctx: Context, orders: Path, shape: str, workers: int) -> tuple[WrkResult, WrkResult]:
    """P2 and one P1 shape at once, each from its own wrk process."""
    bodies = ctx.workdir / f"{shape}.jsonl"
    if not bodies.exists():
        _bodies(ctx, shape, queries.bodies(shape, ctx.network, ctx.plan.distinct_bodies))
    url, seconds = ctx.live.url + "/graphql", ctx.plan.seconds
    placing = WrkRun(f"P2 under {shape}", url, orders, ctx.token, ctx.plan.p2_connections, seconds,
                     key_prefix=_key(workers, shape))
    reading = WrkRun(f"P1 {shape} under P2", url, bodies, ctx.token, ctx.plan.p1_connections, seconds)
    results = ctx.check(reading.result()), ctx.check(placing.result())
    ctx.live.wait_idle()
    return results


def p2(ctx: Context, workers: int, with_reads: bool) -> None:
    """Placement alone; with `with_reads`, P1 shapes while placement runs; then the oversell check."""
    orders = _bodies(ctx, "orders", placement.bodies(ctx.network, ctx.plan.distinct_bodies))
    alone = _measure(ctx, f"P2 placeOrder --workers {workers}", ctx.live, orders,
                     ctx.plan.p2_connections, _key(workers, "alone"))
    ctx.rows.append(_p2_row(ctx, alone, workers))
    if with_reads:
        for shape in queries.SHAPES:
            reading, placing = _concurrent(ctx, orders, shape, workers)
            ctx.rows.append(_p1_row(ctx, shape, reading, f", while P2 runs (--workers {workers})"))
            ctx.rows.append(_p2_row(ctx, placing, workers, f", while P1 {shape} runs"))
    oversell(ctx, workers)


def oversell(ctx: Context, workers: int) -> None:
    broken = placement.violations(ctx.database_url)
    totals = placement.counts(ctx.database_url)
    count = sum(broken.values())
    detail = ", ".join(f"{name}: {n}" for name, n in broken.items() if n) or "none"
    ctx.rows.append(Row(f"P2 oversell violations after --workers {workers} runs", str(count),
                        target="0", met=count == 0, values={"violations": broken, **totals}))
    ctx.notes.append(f"after --workers {workers}: {totals['orders']:,} orders in the database, "
                     f"{totals['allocated']:,} units allocated, {totals['backordered']:,} backordered; "
                     f"violations: {detail}")
    if count:
        ctx.fail(f"oversell check after --workers {workers}: {detail}")
