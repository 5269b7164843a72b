"""How big the benchmark is and how long each measurement lasts: the full run and the smoke run."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    name: str
    warehouses: int
    "Warehouses and distribution centres (the rest of the nodes are stores)."
    stores: int
    skus: int
    stocked_share: float
    "Share of nodes stocking each SKU."
    hot_skus: int
    seconds: float
    "Length of each wrk measurement."
    warmup: float
    p1_connections: int
    p2_connections: int
    subscriber_rounds: tuple[int, ...]
    client_processes: int
    subscription_pool: int
    "SKUs the realistic fan-out's subscribers pick their 1-5 SKUs from."
    burst: int
    "Stock changes in the realistic fan-out's burst."
    sync_batch: int
    sync_max_batches: int
    sync_budget: float
    import_rows: int
    import_probe_rows: int
    import_budget: float
    "Seconds the full CSV import may take (projected from a probe); beyond, the probe is reported."
    sourcing_runs: int
    optimality_orders: int
    "Random orders P6 compares with the brute-force optimum."
    distinct_bodies: int
    replay_orders: int
    "P7: orders placed, then replayed in one window."
    replay_nodes: int
    replay_skus: int

    @property
    def nodes(self) -> int:
        return self.warehouses + self.stores

    def with_seconds(self, seconds: float | None) -> Plan:
        return self if seconds is None else dataclasses.replace(self, seconds=seconds)


FULL = Plan(
    name="full", warehouses=40, stores=160, skus=5000, stocked_share=0.8, hot_skus=20,
    seconds=10, warmup=2, p1_connections=16, p2_connections=32,
    subscriber_rounds=(1000, 10_000), client_processes=4, subscription_pool=1000, burst=100,
    sync_batch=5000, sync_max_batches=20, sync_budget=25,
    import_rows=1_000_000, import_probe_rows=20_000, import_budget=120,
    sourcing_runs=2000, optimality_orders=1000, distinct_bodies=500, replay_orders=5000,
    replay_nodes=200, replay_skus=1000,
)

SMOKE = Plan(
    name="smoke", warehouses=5, stores=15, skus=200, stocked_share=0.8, hot_skus=20,
    seconds=2, warmup=0, p1_connections=16, p2_connections=32,
    subscriber_rounds=(100,), client_processes=2, subscription_pool=100, burst=20,
    sync_batch=1000, sync_max_batches=2, sync_budget=5,
    import_rows=5000, import_probe_rows=1000, import_budget=10,
    sourcing_runs=200, optimality_orders=100, distinct_bodies=100, replay_orders=300,
    replay_nodes=40, replay_skus=200,
)

PLANS = {plan.name: plan for plan in (FULL, SMOKE)}
