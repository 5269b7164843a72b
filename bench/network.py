"""The benchmark's retail network, built the same way (seeded) by every process that needs it.

Nodes sit in real Italian and Spanish cities (with jitter): warehouses and DCs near the big
hubs, stores everywhere (they ship and take pickups). Each SKU is stocked at about
`plan.stocked_share` of the nodes; the first `plan.hot_skus` SKUs are scarce (they sell out
during placement, so holds compete at the edge of oversell).
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from bench.plan import Plan

SEED = 7
CITIES: list[tuple[str, str, float, float]] = [
    ("Milano", "IT", 45.4642, 9.1900), ("Roma", "IT", 41.9028, 12.4964),
    ("Napoli", "IT", 40.8518, 14.2681), ("Torino", "IT", 45.0703, 7.6869),
    ("Palermo", "IT", 38.1157, 13.3615), ("Genova", "IT", 44.4056, 8.9463),
    ("Bologna", "IT", 44.4949, 11.3426), ("Firenze", "IT", 43.7696, 11.2558),
    ("Bari", "IT", 41.1171, 16.8719), ("Catania", "IT", 37.5079, 15.0830),
    ("Venezia", "IT", 45.4408, 12.3155), ("Verona", "IT", 45.4384, 10.9916),
    ("Padova", "IT", 45.4064, 11.8768), ("Trieste", "IT", 45.6495, 13.7768),
    ("Brescia", "IT", 45.5416, 10.2118), ("Bergamo", "IT", 45.6983, 9.6773),
    ("Parma", "IT", 44.8015, 10.3279), ("Cagliari", "IT", 39.2238, 9.1217),
    ("Pescara", "IT", 42.4618, 14.2161), ("Ancona", "IT", 43.6158, 13.5189),
    ("Madrid", "ES", 40.4168, -3.7038), ("Barcelona", "ES", 41.3874, 2.1686),
    ("Valencia", "ES", 39.4699, -0.3763), ("Sevilla", "ES", 37.3891, -5.9845),
    ("Zaragoza", "ES", 41.6488, -0.8891), ("Malaga", "ES", 36.7213, -4.4214),
    ("Murcia", "ES", 37.9922, -1.1307), ("Palma", "ES", 39.5696, 2.6502),
    ("Bilbao", "ES", 43.2630, -2.9350), ("Alicante", "ES", 38.3452, -0.4810),
    ("Cordoba", "ES", 37.8882, -4.7794), ("Valladolid", "ES", 41.6523, -4.7245),
    ("Vigo", "ES", 42.2406, -8.7207), ("Gijon", "ES", 43.5322, -5.6611),
    ("A Coruna", "ES", 43.3623, -8.4115), ("Granada", "ES", 37.1773, -3.5986),
    ("Vitoria", "ES", 42.8467, -2.6716), ("Pamplona", "ES", 42.8125, -1.6458),
    ("Santander", "ES", 43.4623, -3.8100), ("San Sebastian", "ES", 43.3183, -1.9812),
]
HUBS = CITIES[:8] + CITIES[20:28]  # where warehouses and DCs cluster
SHIPPING_TYPES = ["WAREHOUSE", "DISTRIBUTION_CENTER"]
Position = tuple[str, str, int, int]
"(sku, node code, on hand, safety stock)"


def sku_code(number: int) -> str:
    return f"SKU-{number:05d}"


@dataclass(frozen=True)
class NodeDef:
    code: str
    name: str
    type: str
    city: str
    country: str
    latitude: float
    longitude: float
    priority: int

    @property
    def is_store(self) -> bool:
        return self.type == "STORE"

    def api_input(self) -> dict[str, Any]:
        """The `NodeInput` of `upsertNode`."""
        location = {"latitude": self.latitude, "longitude": self.longitude}
        return {"code": self.code, "name": self.name, "type": self.type, "priority": self.priority,
                "canShip": True, "canPickup": self.is_store, "location": location,
                "processingTimeHours": 4 if self.is_store else 24,
                "address": {"line1": f"{self.name} 1", "city": self.city,
                            "country": self.country, "location": location}}


def _jittered(rng: random.Random, city: tuple[str, str, float, float],
              spread: float) -> tuple[str, str, float, float]:
    name, country, lat, lon = city
    return name, country, lat + rng.uniform(-spread, spread), lon + rng.uniform(-spread, spread)


def build_nodes(plan: Plan, rng: random.Random) -> list[NodeDef]:
    nodes = []
    for i in range(plan.warehouses):
        kind = "WAREHOUSE" if i % 5 < 3 else "DISTRIBUTION_CENTER"
        city, country, lat, lon = _jittered(rng, HUBS[i % len(HUBS)], 0.15)
        prefix = "WH" if kind == "WAREHOUSE" else "DC"
        nodes.append(NodeDef(f"{prefix}-{i:03d}", f"{kind.title()} {city} {i}", kind, city,
                             country, lat, lon, rng.randint(10, 40)))
    for i in range(plan.stores):
        city, country, lat, lon = _jittered(rng, CITIES[i % len(CITIES)], 0.05)
        nodes.append(NodeDef(f"ST-{i:03d}", f"Store {city} {i}", "STORE", city, country, lat, lon,
                             rng.randint(50, 90)))
    return nodes


def channel_inputs(nodes: list[NodeDef]) -> list[dict[str, Any]]:
    """The four `ChannelInput`s: web sees everything; app 80% minus two stores; marketplace
    warehouses/DCs only; the store channel only stores (pickup)."""
    stores = [n.code for n in nodes if n.is_store]
    hubs = [n.code for n in nodes if not n.is_store]
    base = {"currency": "EUR", "active": True}
    return [
        {**base, "code": "web", "name": "Web shop", "type": "WEB", "buffer": 1},
        {**base, "code": "app", "name": "Mobile app", "type": "APP", "buffer": 1,
         "allocationPercent": 80, "excludedNodeCodes": stores[:2]},
        {**base, "code": "marketplace", "name": "Marketplace", "type": "MARKETPLACE", "buffer": 2,
         "allocationPercent": 60, "nodeTypes": SHIPPING_TYPES, "excludedNodeCodes": hubs[-1:]},
        {**base, "code": "store-pickup", "name": "Click & collect", "type": "STORE",
         "nodeTypes": ["STORE"]},
    ]


RULE_INPUTS: list[dict[str, Any]] = [
    {"name": "marketplace: warehouses, ship complete", "rank": 10, "channels": ["marketplace"],
     "splitPolicy": "SHIP_COMPLETE", "preferNodeTypes": SHIPPING_TYPES,
     "weights": {"distance": 1.0, "priority": 0.5}},
    {"name": "default: nearest, then priority", "rank": 100, "maxSplits": 2,
     "weights": {"distance": 1.0, "priority": 0.5}},
]


def _on_hand(rng: random.Random, node: NodeDef, hot: bool) -> tuple[int, int]:
    """Hot SKUs: a few units per warehouse, at most one per store (below the web buffer), so a
    few dozen units per channel: they sell out within seconds of placement."""
    if node.is_store:
        return (rng.randint(0, 1), 0) if hot else (rng.randint(0, 12), rng.randint(0, 2))
    return (rng.randint(0, 4), 0) if hot else (rng.randint(20, 400), 0)


@dataclass(frozen=True)
class Network:
    plan: Plan
    nodes: list[NodeDef]

    @cached_property
    def positions(self) -> list[Position]:
        """Every stocked (sku, node) with its levels, ordered by SKU then node."""
        rng = random.Random(SEED + 1)
        out = []
        for number in range(self.plan.skus):
            sku = sku_code(number)
            hot = number < self.plan.hot_skus
            for node in self.nodes:
                if rng.random() < self.plan.stocked_share:
                    out.append((sku, node.code, *_on_hand(rng, node, hot)))
        return out

    @property
    def skus(self) -> list[str]:
        return [sku_code(n) for n in range(self.plan.skus)]

    @property
    def hot_skus(self) -> list[str]:
        return self.skus[: self.plan.hot_skus]

    @property
    def cold_skus(self) -> list[str]:
        return self.skus[self.plan.hot_skus:]

    def channels(self) -> list[dict[str, Any]]:
        return channel_inputs(self.nodes)

    def import_rows(self, count: int) -> Iterator[Position]:
        """`count` CSV rows: every stocked position (on hand +3), then new SKUs at every node."""
        for sku, node, on_hand, safety in self.positions[:count]:
            yield sku, node, on_hand + 3, safety
        extra, number = count - len(self.positions), 0
        while extra > 0:
            for node in self.nodes[:extra]:
                yield f"IMP-{number:06d}", node.code, 10, 0
            extra -= len(self.nodes)
            number += 1


def build(plan: Plan) -> Network:
    return Network(plan, build_nodes(plan, random.Random(SEED)))
