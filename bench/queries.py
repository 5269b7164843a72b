"""The availability shapes of P1 and their request bodies (hundreds of distinct ones, seeded)."""
from __future__ import annotations

import json
import random
from typing import Any

from bench.network import CITIES, Network

SKUS_PER_QUERY = 50
AVAILABILITY = ("query Availability($channel: String!, $skus: [String!]!) "
                "{ availability(channel: $channel, skus: $skus) { sku available } }")
PICKUP = ("query Pickup($channel: String!, $skus: [String!]!, $near: GeoPointInput!) "
          "{ availability(channel: $channel, skus: $skus, deliveryMethod: PICKUP_IN_STORE, "
          "near: $near, limit: 5) { sku available byNode { node { code } available } } }")
SHAPES = {"availability": AVAILABILITY, "pickup": PICKUP}


def _variables(shape: str, network: Network, rng: random.Random) -> dict[str, Any]:
    skus = rng.sample(network.skus, min(SKUS_PER_QUERY, len(network.skus)))
    if shape == "availability":
        return {"channel": rng.choice(["web", "app"]), "skus": skus}
    _, _, lat, lon = rng.choice(CITIES)
    near = {"latitude": round(lat + rng.uniform(-0.05, 0.05), 4),
            "longitude": round(lon + rng.uniform(-0.05, 0.05), 4)}
    return {"channel": "store-pickup", "skus": skus, "near": near}


def bodies(shape: str, network: Network, count: int) -> list[str]:
    """`count` distinct JSON bodies of `shape`, one line each."""
    rng = random.Random(f"{shape}-{count}")
    return [json.dumps({"query": SHAPES[shape], "variables": _variables(shape, network, rng)},
                       separators=(",", ":")) for _ in range(count)]
