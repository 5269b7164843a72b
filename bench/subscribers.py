"""P3 orchestration: rounds of N subscribers, the best case then the realistic case on the same
sockets (resubscribed), delivery p50/p99 and the server's RSS."""
from __future__ import annotations

import random
import time

from bench.context import Context
from bench.fanout import Fanout, Specs
from bench.report import Row

TARGET = "p99 <= 1 s, RSS <= 1.5 GB"
CHANGES = 3


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
    ctx.rows.append(_row(ctx, "best case (1 SKU)", subscribers, latencies, missing, ctx.live.rss_mb()))
    ctx.log(ctx.rows[-1].ours)


def _realistic(ctx: Context, fan: Fanout, pool: list[str], hubs: dict[str, str],
               subscribers: int) -> None:
    rng = random.Random(f"subscribers-{subscribers}")
    specs: Specs = [rng.sample(pool, rng.randint(1, 5)) for _ in range(subscribers)]
    fan.resubscribe(specs, "2")
    time.sleep(2)
    followed = sorted({sku for spec in specs for sku in spec})
    burst = rng.sample(followed, min(ctx.plan.burst, len(followed)))
    latencies, missing = fan.change([(sku, hubs[sku]) for sku in burst])
    label = f"realistic (1-5 of {len(pool):,} SKUs, burst of {len(burst)})"
    ctx.rows.append(_row(ctx, label, subscribers, latencies, missing, ctx.live.rss_mb()))
    ctx.log(ctx.rows[-1].ours)


def p3(ctx: Context) -> None:
    hubs = hub_of(ctx)
    pool = [sku for sku in ctx.network.cold_skus if sku in hubs][: ctx.plan.subscription_pool]
    best_sku = pool[0]
    ws_url = ctx.live.url.replace("http://", "ws://") + "/graphql"
    for subscribers in ctx.plan.subscriber_rounds:
        api = ctx.api()
        fan = Fanout(ws_url, ctx.token, api, ctx.plan.client_processes)
        try:
            started = time.monotonic()
            connected = fan.start([[best_sku]] * subscribers)
            ctx.log(f"P3: {connected:,} subscribers connected in {time.monotonic() - started:.1f} s "
                    f"({ctx.plan.client_processes} client processes, asyncio + websockets)")
            time.sleep(2)
            _best(ctx, fan, best_sku, hubs[best_sku], subscribers)
            _realistic(ctx, fan, pool, hubs, subscribers)
        finally:
            fan.stop()
            api.close()
        ctx.live.wait_idle()
