"""The same-run ceilings P1 is compared with, each served by uvicorn in a process of its own.

- `starlette_app`: a raw Starlette endpoint that reads the request and returns a precomputed
  JSON answer of the shape asked (the HTTP ceiling: no parsing, no validation, no data).
- `strawberry_app`: a bare Strawberry app, plain idiomatic types and default settings
  (`strawberry.asgi.GraphQL`), answering the same query shapes from an in-memory copy of the
  same network with the same channel rules (the framework ceiling: no database, no auth).

The network is rebuilt from its seed (`BENCH_PLAN` names the plan), so it is the one the
server was loaded with, before any order.
"""
from __future__ import annotations

import heapq
import json
import math
import os
from collections import defaultdict
from dataclasses import dataclass
from enum import Enum
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from bench import queries
from bench.network import Network, NodeDef, build
from bench.plan import PLANS


@strawberry.enum
class DeliveryMethod(Enum):
    SHIP_TO_ADDRESS = "SHIP_TO_ADDRESS"
    PICKUP_IN_STORE = "PICKUP_IN_STORE"


@strawberry.input
class GeoPointInput:
    latitude: float
    longitude: float


@strawberry.type
class FulfillmentNode:
    code: str
    name: str
    type: str


@strawberry.type
class NodeAvailability:
    node: FulfillmentNode
    available: int
    distance_km: float | None = None


@strawberry.type
class SkuAvailability:
    """`byNode` is built only when selected, as an idiomatic resolver would."""

    sku: str
    channel: str
    available: int
    pairs: strawberry.Private[list[tuple[Any, int]]]
    km: strawberry.Private[dict[str, float]]
    types: strawberry.Private[dict[str, FulfillmentNode]]
    limit: strawberry.Private[int | None]

    @strawberry.field
    def by_node(self) -> list[NodeAvailability]:
        ranked = heapq.nsmallest(self.limit or len(self.pairs), self.pairs,
                                 key=lambda p: (self.km.get(p[0].code, 0.0), p[0].code))
        return [NodeAvailability(node=self.types[node.code], available=share,
                                 distance_km=self.km.get(node.code)) for node, share in ranked]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


@dataclass
class Memory:
    """The network in dicts: per SKU, (node, node-available) for every stocked node."""

    network: Network

    def __post_init__(self) -> None:
        self.nodes = {n.code: n for n in self.network.nodes}
        self.types = {n.code: FulfillmentNode(code=n.code, name=n.name, type=n.type)
                      for n in self.network.nodes}
        self.channels = {c["code"]: c for c in self.network.channels()}
        stock: dict[str, list[tuple[NodeDef, int]]] = defaultdict(list)
        for sku, code, on_hand, safety in self.network.positions:
            stock[sku].append((self.nodes[code], max(0, on_hand - safety)))
        # Precomputed once, as a read model would: per (channel, method, SKU) the total and
        # the (node, share) pairs, so a request only looks up (and ranks, for byNode).
        self.shares: dict[tuple[str, DeliveryMethod | None, str], list[tuple[NodeDef, int]]] = {}
        self.totals: dict[tuple[str, DeliveryMethod | None, str], int] = {}
        for code, rules in self.channels.items():
            for method in (None, DeliveryMethod.PICKUP_IN_STORE):
                for sku, at in stock.items():
                    pairs = [(node, share) for node, available in at
                             if (share := self.share(rules, node, available, method))]
                    self.shares[(code, method, sku)] = pairs
                    self.totals[(code, method, sku)] = sum(share for _, share in pairs)

    def share(self, channel: dict[str, Any], node: NodeDef, available: int,
              method: DeliveryMethod | None) -> int:
        if node.code in channel.get("excludedNodeCodes", ()):
            return 0
        if channel.get("nodeTypes") and node.type not in channel["nodeTypes"]:
            return 0
        if method is DeliveryMethod.PICKUP_IN_STORE and not node.is_store:
            return 0
        return max(0, (available - channel.get("buffer", 0)) * channel.get("allocationPercent", 100)
                   // 100)

    def availability(self, channel: str, skus: list[str], method: DeliveryMethod | None = None,
                     near: GeoPointInput | None = None, limit: int | None = None
                     ) -> list[SkuAvailability]:
        km = {code: haversine_km(n.latitude, n.longitude, near.latitude, near.longitude)
              for code, n in self.nodes.items()} if near else {}
        result = []
        for sku in dict.fromkeys(skus):
            result.append(SkuAvailability(sku=sku, channel=channel,
                                          available=self.totals.get((channel, method, sku), 0),
                                          pairs=self.shares.get((channel, method, sku), []),
                                          km=km, types=self.types, limit=limit))
        return result


def _memory() -> Memory:
    return Memory(build(PLANS[os.environ.get("BENCH_PLAN", "full")]))


def bare_schema(memory: Memory) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        async def availability(self, channel: str, skus: list[str],
                               delivery_method: DeliveryMethod | None = None,
                               near: GeoPointInput | None = None, radius_km: float | None = None,
                               limit: int | None = None, include_empty: bool = False
                               ) -> list[SkuAvailability]:
            return memory.availability(channel, skus, delivery_method, near, limit)

    return strawberry.Schema(query=Query)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def strawberry_app() -> Starlette:
    graphql = GraphQL(bare_schema(_memory()))
    return Starlette(routes=[Route("/healthz", healthz), Route("/graphql", graphql, methods=["POST"])])


def _selected(item: SkuAvailability, shape: str) -> dict[str, Any]:
    if shape == "availability":
        return {"sku": item.sku, "available": item.available}
    return {"sku": item.sku, "available": item.available,
            "byNode": [{"node": {"code": n.node.code}, "available": n.available}
                       for n in item.by_node()]}


def precomputed_answers(memory: Memory) -> dict[str, bytes]:
    """Per shape, the answer to its first body, serialised once."""
    answers = {}
    for shape in queries.SHAPES:
        variables = json.loads(queries.bodies(shape, memory.network, 1)[0])["variables"]
        near = GeoPointInput(**variables["near"]) if "near" in variables else None
        method = DeliveryMethod.PICKUP_IN_STORE if near else None
        items = memory.availability(variables["channel"], variables["skus"], method, near,
                                    5 if near else None)
        data = {"data": {"availability": [_selected(i, shape) for i in items]}}
        answers[shape] = json.dumps(data, separators=(",", ":")).encode()
    return answers


def starlette_app() -> Starlette:
    answers = precomputed_answers(_memory())

    async def graphql(request: Request) -> Response:
        body = await request.body()
        shape = "pickup" if b"PICKUP_IN_STORE" in body else "availability"
        return Response(answers[shape], media_type="application/json")

    return Starlette(routes=[Route("/healthz", healthz), Route("/graphql", graphql, methods=["POST"])])
