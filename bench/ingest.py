"""P4: inventory ingestion through the product paths, positions/s.

- `syncInventory` over HTTP: batches of `plan.sync_batch` records (existing positions, on hand
  raised by 7 so no level falls under what orders hold), one batch at a time, until
  `plan.sync_max_batches` or `plan.sync_budget` seconds.
- `oms import-inventory` of a CSV of `plan.import_rows` rows (every network position, then
  new SKUs at every node), timed as a user waits for the command. A probe of
  `plan.import_probe_rows` rows goes first; when the whole file would take longer than
  `plan.import_budget`, the probe's rate is reported instead (and says so).
"""
from __future__ import annotations

import time

from bench.api import SYNC
from bench.context import Context
from bench.prepare import import_csv, write_csv
from bench.report import Row

TARGET = ">= 50,000 positions/s"


def _row(figure: str, positions: int, seconds: float, detail: str = "") -> Row:
    rate = positions / seconds if seconds else 0.0
    return Row(figure, f"{rate:,.0f} positions/s ({positions:,} in {seconds:.1f} s{detail})",
               target=TARGET, met=rate >= 50_000,
               values={"positions": positions, "seconds": seconds, "rate": rate})


def sync_over_http(ctx: Context) -> None:
    plan, api = ctx.plan, ctx.api()
    records = [{"sku": sku, "nodeCode": node, "onHand": on_hand + 7, "safetyStock": safety}
               for sku, node, on_hand, safety in ctx.network.positions]
    written, started = 0, time.perf_counter()
    try:
        for batch in range(plan.sync_max_batches):
            chunk = records[batch * plan.sync_batch:(batch + 1) * plan.sync_batch]
            if not chunk or time.perf_counter() - started > plan.sync_budget:
                break
            written += api.graphql(SYNC, {"r": chunk})["syncInventory"]["updated"]
    finally:
        api.close()
    seconds = time.perf_counter() - started
    ctx.rows.append(_row(f"P4 syncInventory over HTTP, batches of {plan.sync_batch:,}", written, seconds))
    ctx.log(ctx.rows[-1].ours)


def import_inventory(ctx: Context) -> None:
    plan = ctx.plan
    probe = write_csv(ctx.workdir / "import-probe.csv", ctx.network.import_rows(plan.import_probe_rows))
    probe_seconds = import_csv(ctx.env, probe)
    projected = probe_seconds * plan.import_rows / plan.import_probe_rows
    figure = f"P4 oms import-inventory, {plan.import_rows:,}-row CSV"
    if projected > plan.import_budget:
        detail = (f"; a {plan.import_probe_rows:,}-row probe: the {plan.import_rows:,} rows would take "
                  f"~{projected:.0f} s, over the {plan.import_budget:.0f} s budget")
        ctx.rows.append(_row(figure, plan.import_probe_rows, probe_seconds, detail))
    else:
        path = write_csv(ctx.workdir / "import.csv", ctx.network.import_rows(plan.import_rows))
        ctx.rows.append(_row(figure, plan.import_rows, import_csv(ctx.env, path)))
    ctx.log(ctx.rows[-1].ours)
