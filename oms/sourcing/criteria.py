"""Ranking criteria: small objects, each listed once in `CRITERIA`.

A criterion gives a raw figure per node where LOWER IS BETTER (None when unknown)
and says a figure in plain words; the ranking normalises figures and weighs them
by the rule's weight of the same name. Only criteria the rule weighs are computed,
and their figures are a candidate's reasons ("412 km", "priority 10"). Adding a
criterion means adding one class to `CRITERIA` (or `register`ing it): rule weights,
their validation and the API's RoutingWeights fields all follow the registry.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Protocol

from oms.sourcing.geo import Point, distances_km, resolve_point

if TYPE_CHECKING:
    from oms.shipping.pricing import ShippingTable
    from oms.sourcing.model import NodeSnapshot, Rule, SourcingRequest


class SourcingContext:
    """What checks and criteria may consult while one request is decided."""

    def __init__(self, request: SourcingRequest, rule: Rule) -> None:
        self.request = request
        self.rule = rule
        self.demand = request.demand()
        self.destination = _destination_point(request)


def _destination_point(request: SourcingRequest) -> Point | None:
    target = request.destination
    if target is None:
        return None
    return resolve_point(target.latitude, target.longitude, target.country)


_PLACE = attrgetter("latitude", "longitude", "country")


class CandidatePool:
    """The eligible nodes of one decision, and the figures several criteria share."""

    def __init__(self, nodes: Sequence[NodeSnapshot], ctx: SourcingContext) -> None:
        self.nodes = nodes
        self.ctx = ctx

    @cached_property
    def distances(self) -> list[float | None]:
        """Km from each node to the destination; None when either end is unknown."""
        target = self.ctx.destination
        if target is None:
            return [None] * len(self.nodes)
        return distances_km(map(_PLACE, self.nodes), target)


class Criterion(Protocol):
    """A ranking criterion.

    Figures come a column at a time: a decision weighs about a thousand nodes,
    and a call per node per criterion would cost milliseconds.
    """

    @property
    def name(self) -> str:
        """The weight's name (snake_case; the API shows it in camelCase)."""
        ...

    @property
    def default_weight(self) -> float:
        """The weight a rule gives it when the rule does not say."""
        ...

    def figures(self, pool: CandidatePool) -> list[float | None]:
        """One figure per node of the pool, lower is better; None when unknown."""
        ...

    def reason(self, value: float) -> str:
        """A figure in plain words."""
        ...


class Distance:
    name = "distance"
    default_weight = 1.0

    def figures(self, pool: CandidatePool) -> list[float | None]:
        return pool.distances

    def reason(self, value: float) -> str:
        return f"{value:.0f} km"


class ShippingCost:
    """With a rate table: the cheapest price of the parcel the node would send (what it holds
    of the order, up to the demand) to the destination country; a node whose parcel no
    service carries has no figure. Without one: the node's base cost plus a cost per km."""

    name = "cost"
    default_weight = 0.0

    def figures(self, pool: CandidatePool) -> list[float | None]:
        table = pool.ctx.request.shipping
        if table is not None:
            return [_parcel_cost(table, node, pool.ctx) for node in pool.nodes]
        return [
            _cost(node, km) for node, km in zip(pool.nodes, pool.distances, strict=True)
        ]

    def reason(self, value: float) -> str:
        return f"cost {value:.2f}"


def _parcel_cost(table: ShippingTable, node: NodeSnapshot, ctx: SourcingContext) -> float | None:
    units = [(sku, min(wanted, node.stock.get(sku, 0))) for sku, wanted in ctx.demand.items()]
    held = [(sku, quantity) for sku, quantity in units if quantity > 0]
    if not held:
        return None
    target = ctx.request.destination
    price = table.cheapest(target.country.upper() if target and target.country else None, held)
    return None if price is None else float(price)


def _cost(node: NodeSnapshot, km: float | None) -> float | None:
    if km is None:
        return node.cost_base if node.cost_per_km == 0 else None
    return node.cost_base + node.cost_per_km * km


class Priority:
    name = "priority"
    default_weight = 0.0

    def figures(self, pool: CandidatePool) -> list[float | None]:
        return [node.priority for node in pool.nodes]

    def reason(self, value: float) -> str:
        return f"priority {value}"


class Backlog:
    name = "backlog"
    default_weight = 0.0

    def figures(self, pool: CandidatePool) -> list[float | None]:
        return [node.backlog for node in pool.nodes]

    def reason(self, value: float) -> str:
        return f"backlog {value}"


class ProcessingTime:
    name = "processing_time"
    default_weight = 0.0

    def figures(self, pool: CandidatePool) -> list[float | None]:
        return [node.processing_time_hours for node in pool.nodes]

    def reason(self, value: float) -> str:
        return f"{value:g}h processing"


CRITERIA: list[Criterion] = [
    Distance(),
    ShippingCost(),
    Priority(),
    Backlog(),
    ProcessingTime(),
]


def register(criterion: Criterion) -> None:
    """Add a criterion to the registry (its name must be new)."""
    if criterion.name in default_weights():
        raise ValueError(f"a criterion named {criterion.name!r} is already registered")
    CRITERIA.append(criterion)


def default_weights() -> dict[str, float]:
    """Every registered criterion's name and default weight, in registry order."""
    return {criterion.name: criterion.default_weight for criterion in CRITERIA}
