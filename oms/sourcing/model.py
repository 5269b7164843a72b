"""What the sourcing engine takes in and hands back: frozen dataclasses, no ORM rows."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, overload

from oms.enums import AllocationSearch, DeliveryMethod, NodeType, SplitPolicy
from oms.shipping.pricing import ShippingTable
from oms.sourcing import criteria

DEFAULT_MAX_SPLITS = 3
"Most nodes an order is split across when a rule does not say."


class Weights:
    """How much each criterion counts, by criterion name: the names and their defaults are
    those of the criteria registered in `oms.sourcing.criteria` (adding one is one edit)."""

    __slots__ = ("_values",)
    _values: tuple[tuple[str, float], ...]

    def __init__(self, **values: float) -> None:
        defaults = criteria.default_weights()
        unknown = sorted(set(values) - set(defaults))
        if unknown:
            raise ValueError(f"unknown sourcing weights: {', '.join(unknown)}")
        merged = {**defaults, **{name: float(value) for name, value in values.items()}}
        for name, value in merged.items():
            if value < 0:
                raise ValueError(f"sourcing weight {name!r} must not be negative")
        object.__setattr__(self, "_values", tuple(merged.items()))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Weights are immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Weights) and self._values == other._values

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"Weights({', '.join(f'{n}={v:g}' for n, v in self._values)})"

    def get(self, name: str) -> float:
        """The weight of criterion `name` (0 for a name no criterion has)."""
        return dict(self._values).get(name, 0.0)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The criterion names a weight can be given for."""
        return tuple(criteria.default_weights())

    @classmethod
    def from_mapping(cls, data: Mapping[str, float]) -> Weights:
        """Weights from stored JSON: an unknown name fails loudly, a missing one is defaulted."""
        return cls(**dict(data))

    def to_mapping(self) -> dict[str, float]:
        """The weights as plain data."""
        return dict(self._values)


@dataclass(frozen=True, slots=True)
class Rule:
    """A routing rule: when it applies, and how it ranks nodes and splits orders."""

    id: str | None
    name: str
    rank: int
    active: bool = True
    channels: tuple[str, ...] = ()
    delivery_methods: tuple[DeliveryMethod, ...] = ()
    effective_from: datetime | None = None
    effective_to: datetime | None = None
    split_policy: SplitPolicy = SplitPolicy.ALLOW_SPLIT
    max_splits: int = DEFAULT_MAX_SPLITS
    prefer_node_types: tuple[NodeType, ...] = ()
    weights: Weights = field(default_factory=Weights)
    respect_capacity: bool = True
    allow_backorder: bool = True
    version: int | None = None
    "The stored rule's version this is (None: the built-in default, or a rule not stored)."

    def __post_init__(self) -> None:
        if self.max_splits < 1:
            raise ValueError(f"rule {self.name!r}: max_splits must be at least 1")

    def applies_to(self, channel_code: str, delivery_method: DeliveryMethod, now: datetime) -> bool:
        """Whether this rule is active and matches the channel, delivery method and moment."""
        return (
            self.active
            and (not self.channels or channel_code in self.channels)
            and (not self.delivery_methods or delivery_method in self.delivery_methods)
            and (self.effective_from is None or self.effective_from <= now)
            and (self.effective_to is None or now < self.effective_to)
        )

    def to_record(self) -> dict[str, Any]:
        """The rule as JSON-safe plain data."""
        return {
            "id": self.id,
            "name": self.name,
            "rank": self.rank,
            "active": self.active,
            "channels": list(self.channels),
            "delivery_methods": [str(method) for method in self.delivery_methods],
            "effective_from": _iso(self.effective_from),
            "effective_to": _iso(self.effective_to),
            "split_policy": str(self.split_policy),
            "max_splits": self.max_splits,
            "prefer_node_types": [str(node_type) for node_type in self.prefer_node_types],
            "weights": self.weights.to_mapping(),
            "respect_capacity": self.respect_capacity,
            "allow_backorder": self.allow_backorder,
            "version": self.version,
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Rule:
        """Rebuild a rule from `to_record` data; only id and name are required."""
        return cls(
            id=data["id"],
            name=data["name"],
            rank=data.get("rank", DEFAULT_RANK),
            active=data.get("active", True),
            channels=tuple(data.get("channels", ())),
            delivery_methods=tuple(DeliveryMethod(m) for m in data.get("delivery_methods", ())),
            effective_from=_parse_iso(data.get("effective_from")),
            effective_to=_parse_iso(data.get("effective_to")),
            split_policy=SplitPolicy(data.get("split_policy", SplitPolicy.ALLOW_SPLIT)),
            max_splits=data.get("max_splits", DEFAULT_MAX_SPLITS),
            prefer_node_types=tuple(NodeType(t) for t in data.get("prefer_node_types", ())),
            weights=Weights.from_mapping(data.get("weights", {})),
            respect_capacity=data.get("respect_capacity", True),
            allow_backorder=data.get("allow_backorder", True),
            version=data.get("version"),
        )


DEFAULT_RANK = 2**31 - 1
DEFAULT_RULE = Rule(id=None, name="default", rank=DEFAULT_RANK)
"Used when no stored rule matches: split up to 3 nodes, nearest first, capacity respected."


@dataclass(frozen=True, slots=True)
class ChannelView:
    """What the engine needs of a sales channel. Empty `node_types` means every type."""

    code: str
    excluded_node_codes: frozenset[str] = frozenset()
    node_types: frozenset[NodeType] = frozenset()


class NodeSnapshot(NamedTuple):
    """A node as the engine sees it, with the stock this channel may promise per SKU.

    A named tuple rather than a frozen dataclass, like `CandidateResult`: placement builds one
    per candidate node per order, and a replay one per candidate per replayed order.
    """

    code: str
    type: NodeType
    active: bool
    latitude: float | None
    longitude: float | None
    country: str | None
    priority: int
    can_ship: bool
    can_pickup: bool
    daily_capacity: int | None
    fulfillments_today: int
    backlog: int
    processing_time_hours: float
    cost_base: float
    cost_per_km: float
    stock: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Destination:
    """Where the order goes. Missing coordinates fall back to the country centroid."""

    latitude: float | None
    longitude: float | None
    country: str | None


@dataclass(frozen=True, slots=True)
class SourcingRequest:
    """An order, or the lines of it still to source, with where and how it is delivered."""

    channel: ChannelView
    delivery_method: DeliveryMethod
    destination: Destination | None
    pickup_node_code: str | None
    lines: tuple[tuple[str, int], ...]
    excluded_node_codes: frozenset[str] = frozenset()
    shipping: ShippingTable | None = None
    "The rate table, when rates are configured: the `cost` criterion prices parcels with it."

    def __post_init__(self) -> None:
        for sku, quantity in self.lines:
            if quantity <= 0:
                raise ValueError(f"line {sku!r}: quantity must be positive, got {quantity}")

    def demand(self) -> dict[str, int]:
        """Units wanted per SKU, in order of first appearance (repeated SKUs are summed)."""
        wanted: dict[str, int] = {}
        for sku, quantity in self.lines:
            wanted[sku] = wanted.get(sku, 0) + quantity
        return wanted


@dataclass(frozen=True, slots=True)
class Allocation:
    """Units of one SKU to be fulfilled from one node."""

    node_code: str
    sku: str
    quantity: int


class CandidateResult(NamedTuple):
    """How one node fared. `score` is in [0, 1], higher is better; excluded nodes score 0.

    A named tuple rather than a frozen dataclass: a decision holds one per node (a thousand
    in a large network), and a tuple is built several times faster.
    """

    node_code: str
    score: float
    selected: bool
    reasons: tuple[str, ...]
    excluded: bool = False


class Candidates(Sequence[CandidateResult]):
    """A decision's candidates, put together by `build` when first read, then kept.

    A decision over a thousand nodes has a thousand, with their reasons in words; only an
    explanation (the API, the stored record) reads them, so the decision does not wait for
    them. Equal to any sequence of the same candidates.
    """

    __slots__ = ("_build", "_built")

    def __init__(self, build: Callable[[], tuple[CandidateResult, ...]]) -> None:
        self._build: Callable[[], tuple[CandidateResult, ...]] | None = build
        self._built: tuple[CandidateResult, ...] = ()

    def _all(self) -> tuple[CandidateResult, ...]:
        if self._build is not None:
            self._built, self._build = self._build(), None
        return self._built

    @overload
    def __getitem__(self, index: int) -> CandidateResult: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[CandidateResult, ...]: ...
    def __getitem__(self, index: int | slice) -> CandidateResult | tuple[CandidateResult, ...]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[CandidateResult]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return self._all() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"Candidates({self._all()!r})"


@dataclass(frozen=True, slots=True)
class Decision:
    """Where each unit comes from, what could not be sourced, and why, under which rule."""

    rule: Rule
    allocations: tuple[Allocation, ...]
    backordered: tuple[tuple[str, int], ...]
    candidates: Sequence[CandidateResult]
    search: AllocationSearch | None = None
    "How the allocation was found (`oms.sourcing.search`); None for decisions recorded before."

    @property
    def node_codes(self) -> tuple[str, ...]:
        """The selected nodes, in the order they were picked."""
        return tuple(dict.fromkeys(a.node_code for a in self.allocations))

    @property
    def fully_sourced(self) -> bool:
        """True when nothing is backordered."""
        return not self.backordered

    def to_record(self) -> dict[str, Any]:
        """The decision as JSON-safe plain data, for a JSON column."""
        return {
            "rule": self.rule.to_record(),
            "allocations": [
                {"node_code": a.node_code, "sku": a.sku, "quantity": a.quantity}
                for a in self.allocations
            ],
            "backordered": [{"sku": sku, "quantity": qty} for sku, qty in self.backordered],
            "candidates": [_candidate_record(c) for c in self.candidates],
            "search": None if self.search is None else str(self.search),
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Decision:
        """Rebuild a decision from `to_record` data."""
        return cls(
            rule=Rule.from_record(data["rule"]),
            allocations=tuple(Allocation(**a) for a in data["allocations"]),
            backordered=tuple((b["sku"], b["quantity"]) for b in data["backordered"]),
            candidates=tuple(
                CandidateResult(
                    node_code=c["node_code"],
                    score=c["score"],
                    selected=c["selected"],
                    reasons=tuple(c["reasons"]),
                    excluded=c.get("excluded", False),
                )
                for c in data["candidates"]
            ),
            search=AllocationSearch(data["search"]) if data.get("search") else None,
        )


def _candidate_record(candidate: CandidateResult) -> dict[str, Any]:
    return {
        "node_code": candidate.node_code,
        "score": candidate.score,
        "selected": candidate.selected,
        "excluded": candidate.excluded,
        "reasons": list(candidate.reasons),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
