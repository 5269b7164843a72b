"""P3 orchestration: rounds of N subscribers, delivery p50/p99 and the server's RSS.

Every subscriber follows one common SKU (the best case: one change reaches everyone) and
its own 1-5 SKUs out of a pool (the realistic case: a burst of changes across the pool).
One subscription per socket serves both, because setting subscriptions up is what takes
the server longest (each reads its baseline totals): 10,000 of them twice would not fit
the run's budget.
"""
from __future__ import annotations

import random
import time

from bench.context import Context
from bench.fanout import Fanout, Specs
from bench.report import Row

TARGET = "p99 <= 1 s, RSS <= 1.5 GB"
CHANGES = 3
SETTLE_SECONDS = 240


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(fraction * len(values)))]


def hub_of(ctx: Context) -> dict[str, str]:
    """Per SKU, a warehouse or DC stocking it (a +1 there changes the web channel's total)."""
    hubs: dict[str, str] = {}
    for sku, node, on_hand, _ in ctx.network.positions:
        if not node.startswith("ST-") and on_hand > 5:
            hubs.setdefault(sku, node)
    return hubs


def _row(ctx: Context, case: str, subscribers: int, latencies: list[float], missing: int,
         rss: float) -> Row:
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    expected = len(latencies) + missing
    cell = (f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, RSS {rss:,.0f} MB "
            f"({len(latencies):,}/{expected:,} delivered)")
    met = None
    if subscribers >= 10_000:
        met = p99 <= 1.0 and rss <= 1536 and missing == 0
    if not latencies or missing:
        ctx.fail(f"P3 {case} {subscribers}: {missing} of {expected} deliveries missing")
    return Row(f"P3 fan-out {case}, {subscribers:,} subscribers", cell,
               target=TARGET if subscribers >= 10_000 else "", met=met,
               values={"p50_s": p50, "p99_s": p99, "rss_mb": rss, "delivered": len(latencies),
                       "missing": missing})


def _settle(ctx: Context, what: str) -> None:
    """Wait until the server has set every subscription up (each new one reads its baseline
    totals), so the figures are of delivery, not of set-up; say how long that took."""
    time.sleep(1)
    waited = 1 + ctx.live.wait_idle(timeout=SETTLE_SECONDS)
    ctx.log(f"P3: {what}; server idle again after {waited:.1f} s")
    ctx.notes.append(f"P3: {what}; the server was busy setting them up for {waited:.1f} s")


def _best(ctx: Context, fan: Fanout, sku: str, hub: str, subscribers: int) -> None:
    fan.change([(sku, hub)])  # warm-up, not measured
    latencies: list[float] = []
    missing = 0
    for _ in range(CHANGES):
        time.sleep(1)
        got, lost = fan.change([(sku, hub)])
        latencies += got
        missing += lost
    latencies.sort()
    label = "best case (1 SKU every subscriber follows)"
    ctx.rows.append(_row(ctx, label, subscribers, latencies, missing, ctx.live.rss_mb()))
    ctx.log(ctx.rows[-1].ours)


def _specs(best_sku: str, pool: list[str], subscribers: int) -> Specs:
    rng = random.Random(f"subscribers-{subscribers}")
    return [[best_sku, *rng.sample(pool, rng.randint(1, 5))] for _ in range(subscribers)]


def _realistic(ctx: Context, fan: Fanout, specs: Specs, pool: list[str], hubs: dict[str, str],
               subscribers: int) -> None:
    rng = random.Random(f"burst-{subscribers}")
    followed = sorted({sku for spec in specs for sku in spec[1:]})
    burst = rng.sample(followed, min(ctx.plan.burst, len(followed)))
    latencies, missing = fan.change([(sku, hubs[sku]) for sku in burst])
    label = f"realistic (1-5 of {len(pool):,} SKUs, burst of {len(burst)})"
    ctx.rows.append(_row(ctx, label, subscribers, latencies, missing, ctx.live.rss_mb()))
    ctx.log(ctx.rows[-1].ours)


def p3(ctx: Context) -> None:
    hubs = hub_of(ctx)
    pool = [sku for sku in ctx.network.cold_skus if sku in hubs][: ctx.plan.subscription_pool + 1]
    best_sku, pool = pool[0], pool[1:]
    ws_url = ctx.live.url.replace("http://", "ws://") + "/graphql"
    for subscribers in ctx.plan.subscriber_rounds:
        api = ctx.api()
        fan = Fanout(ws_url, ctx.token, api, ctx.plan.client_processes)
        try:
            started = time.monotonic()
            specs = _specs(best_sku, pool, subscribers)
            connected = fan.start(specs)
            ctx.log(f"P3: {connected:,} subscribers connected in {time.monotonic() - started:.1f} s "
                    f"({ctx.plan.client_processes} client processes, asyncio + websockets)")
            _settle(ctx, f"{connected:,} subscribers subscribed")
            _best(ctx, fan, best_sku, hubs[best_sku], subscribers)
            _realistic(ctx, fan, specs, pool, hubs, subscribers)
        finally:
            fan.stop()
            api.close()
        ctx.live.wait_idle()
