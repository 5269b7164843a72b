"""What-if replay (`replaySourcing`): past orders sourced again under other rules, writing nothing.

1. The orders placed in the window that the caller sees (one channel's, when asked), oldest
   first; more than `limit` are sampled uniformly with a fixed seed, so two rule sets tried on
   one window meet the same orders.
2. What was done: each order's first recorded decision (placement's; later re-sourcing after
   a rejection or an override is not counted).
3. The stock each order meets. AT_ORDER_TIME rebuilds the positions from the stock ledger:
   today's levels less every entry since the window opened are the levels it opened with;
   walking forward, each entry counts once its moment has passed, except the replayed
   orders' own (their holds, shipments, cancellations), which the replay replaces with its
   own picks; a cart hold an order consumed is free to that order, as in placement. CURRENT
   starts from today's levels (expired cart holds free). Either way each replayed order
   holds what it is given, so later orders meet what is left.
4. Each order is decided by placement's engine (`oms.sourcing.decide`) under the rule the
   tried set selects for its channel, delivery method and moment, over the nodes holding its
   SKUs. A capped node's fulfillments that day are the day's other orders' as recorded (up to
   the order's moment) plus the replay's own. An order that a rule allowing no backorder
   could not fully source would have been refused: it takes nothing, and all its units count
   as backordered.

Today's node attributes, channel buffers and shares, safety stock, rate tables and backlog
stand in for those of the past, which are not recorded.
"""
from __future__ import annotations

import random
import time
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from oms.auth import Principal
from oms.availability import channel_share, expired_holds
from oms.enums import DeliveryMethod, ReplayStock, StockBucket, StockReason
from oms.errors import DomainError, ErrorCode, Problems
from oms.fulfillment.backlog import backlog_by_node
from oms.models import Channel, Node, Order, Sku
from oms.routing import past
from oms.routing.past import Entry, Levels, PastOrder, Times
from oms.routing.rules import RuleSpec, check_spec, engine_rules, list_rules, tried_rule
from oms.routing.snapshot import NODE_FIELDS, Fixed, channel_view, fixed_fields
from oms.shipping.pricing import ShippingTable
from oms.shipping.skus import item_info
from oms.shipping.tables import load_table
from oms.sourcing import Allocation, ChannelView, NodeSnapshot, Rule, SourcingRequest, decide, select_rule
from oms.sourcing.geo import distance_km, resolve_point

SAMPLE_SEED = 12
"The sample's seed: a window replayed twice meets the same orders."
MAX_LIMIT = 50_000
MAX_WINDOW = timedelta(days=366)
EXAMPLES = 50
"Most changed orders kept side by side."


@dataclass(frozen=True)
class ReplaySpec:
    start: datetime
    end: datetime
    channel: str | None = None
    rules: Sequence[RuleSpec] | None = None
    "Changes to the live rules (an id names the live rule it replaces); None: the live rules."
    stock: ReplayStock = ReplayStock.AT_ORDER_TIME
    limit: int = 5000


@dataclass(frozen=True)
class NodeLoad:
    node_code: str
    units: int
    fulfillments: int


@dataclass(frozen=True)
class Outcome:
    """Totals over the replayed orders for one way of sourcing them."""

    orders: int
    fully_sourced: int
    backordered_units: int
    shipments: int
    split_rate: float
    mean_distance_km: float
    capacity_breaches: int
    node_load: tuple[NodeLoad, ...]


@dataclass(frozen=True)
class OrderDiff:
    order: Order
    actual: tuple[Allocation, ...]
    replayed: tuple[Allocation, ...]


@dataclass(frozen=True)
class Replay:
    orders_in_window: int
    replayed: Outcome
    actual: Outcome
    changed_orders: int
    examples: tuple[OrderDiff, ...]
    elapsed_ms: float


async def replay_sourcing(principal: Principal | None, spec: ReplaySpec) -> Replay:
    """Replay the window's orders under `spec.rules` (see the module docstring)."""
    started = time.perf_counter()
    channels = await _check(principal, spec)
    rules = await _tried_rules(principal, spec.rules)
    window = await past.order_ids(spec.start, spec.end, list(channels))
    orders = await past.past_orders(_sample(window, spec.limit))
    network = await Network.load(orders, spec, rules)
    replayed, actual = Tally(network), Tally(network)
    changed: list[tuple[PastOrder, tuple[Allocation, ...], tuple[Allocation, ...]]] = []
    changed_count = 0
    for order in orders:
        picks, short = network.decide(order, channels[order.channel_id], rules, replayed)
        replayed.add(order, picks, short)
        actual.add(order, order.actual, order.actual_backordered)
        if _units(picks) != _units(order.actual):
            changed_count += 1
            if len(changed) < EXAMPLES:
                changed.append((order, order.actual, picks))
    rows = {str(row.id): row for row in await Order.filter(id__in=[o.id for o, _, _ in changed])}
    return Replay(
        orders_in_window=len(window),
        replayed=replayed.outcome(), actual=actual.outcome(),
        changed_orders=changed_count,
        examples=tuple(OrderDiff(rows[o.id], a, r) for o, a, r in changed if o.id in rows),
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )


def _units(allocations: Iterable[Allocation]) -> Counter[tuple[str, str]]:
    units: Counter[tuple[str, str]] = Counter()
    for allocation in allocations:
        units[(allocation.node_code, allocation.sku)] += allocation.quantity
    return units


async def _check(principal: Principal | None, spec: ReplaySpec) -> dict[int, Channel]:
    """The channels whose orders are replayed; a DomainError listing every problem."""
    problems = Problems()
    if spec.start >= spec.end:
        problems.add(ErrorCode.INVALID_INPUT, "from must be before to", "to")
    elif spec.end - spec.start > MAX_WINDOW:
        problems.add(ErrorCode.INVALID_INPUT, f"the window may span at most {MAX_WINDOW.days} days",
                     "to")
    if not 1 <= spec.limit <= MAX_LIMIT:
        problems.add(ErrorCode.INVALID_INPUT, f"limit must be 1..{MAX_LIMIT}, got {spec.limit}",
                     "limit")
    seen = [c for c in await Channel.all() if principal is None or principal.sees_channel(c.code)]
    if spec.channel is not None:
        seen = [c for c in seen if c.code == spec.channel]
        if not seen:
            problems.add(ErrorCode.UNKNOWN_CHANNEL, f"unknown channel {spec.channel!r}",
                         "channel")
    for index, rule in enumerate(spec.rules or ()):
        try:
            await check_spec(principal, rule)
        except DomainError as refused:
            for problem in refused.problems:
                problems.add(problem.code, f"rules[{index}]: {problem.message}", "rules",
                             index, *(problem.field or ()))
    problems.raise_if_any()
    return {channel.id: channel for channel in seen}


async def _tried_rules(principal: Principal | None,
                       changes: Sequence[RuleSpec] | None) -> list[Rule]:
    """The live rules with `changes` applied: an id replaces that rule (one the caller sees,
    as for upsertRoutingRule), no id adds one."""
    live = await engine_rules()
    if changes is None:
        return live
    known = {str(row.id) for row in await list_rules(principal)}
    unknown = [str(c.id) for c in changes if c.id is not None and c.id not in known]
    if unknown:
        raise DomainError.of(ErrorCode.NOT_FOUND, f"no routing rule {', '.join(unknown)}", "rules")
    tried = {rule.id: rule for rule in live}
    for change in changes:
        rule = tried_rule(change)
        tried[rule.id] = rule
    return list(tried.values())


def _sample(ids: list[str], limit: int) -> list[str]:
    """At most `limit` of `ids`, uniformly (seeded), in their order."""
    if len(ids) <= limit:
        return ids
    chosen = random.Random(SAMPLE_SEED).sample(range(len(ids)), limit)
    return [ids[index] for index in sorted(chosen)]


@dataclass
class Ledger:
    """The stock entries since the window opened, oldest first, and how far the walk is."""

    entries: list[Entry]
    skipped: frozenset[str]
    "References of the replayed orders: their own entries are replaced by the replay's picks."
    handed_over: dict[str, list[Entry]]
    """Per replayed order, the cart hold it consumed: given back in the order's own holding
    pass (the same moment as its holds), so free to it, as in placement."""
    early: set[int] = field(default_factory=set)
    "Ids of entries applied before their moment (`handed_over`)."
    done: int = 0

    @classmethod
    def of(cls, entries: list[Entry], orders: Sequence[PastOrder]) -> Ledger:
        mine = frozenset(order.reference for order in orders)
        placed_at: dict[datetime, str] = {}
        for at, *_, reference, _ in entries:
            if reference in mine:
                placed_at.setdefault(at, reference)
        handed_over: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries:
            if entry[7] == StockReason.CONSUME and entry[0] in placed_at:
                handed_over[placed_at[entry[0]]].append(entry)
        return cls(entries, mine, handed_over)


class Network:
    """The nodes and stock levels the replay decides over, kept as it goes."""

    def __init__(self, nodes: dict[int, Fixed], levels: Levels,
                 ledger: Ledger | None, background: Times,
                 backlog: dict[int, int], shipping: dict[str, ShippingTable | None]) -> None:
        self.nodes = nodes
        self.codes = {node_id: row[0][0] for node_id, row in nodes.items()}
        self.ids = {code: node_id for node_id, code in self.codes.items()}
        self.views: dict[int, ChannelView] = {}
        self.levels = levels
        self.ledger = ledger
        self.background = background
        "The other orders' fulfillments at capped nodes, per day and node."
        self.backlog = backlog
        self.shipping = shipping

    @classmethod
    async def load(cls, orders: Sequence[PastOrder], spec: ReplaySpec,
                   rules: Sequence[Rule]) -> Network:
        skus = sorted({sku for order in orders for sku, _ in order.lines})
        rows = await Node.all().values_list("id", *NODE_FIELDS)
        nodes = {row[0]: fixed_fields(tuple(row[1:])) for row in rows}
        levels = await past.positions(skus)
        ledger = None
        if spec.stock is ReplayStock.AT_ORDER_TIME:
            entries = await past.entries_since(spec.start, skus)
            for _, _, sku, node_id, bucket, delta, _, _ in entries:  # back to the window's opening
                at_sku = levels[sku]
                at_sku[node_id] = at_sku.get(node_id, 0) - _freed(bucket, delta)
            ledger = Ledger.of(entries, orders)
        else:
            for (sku, node_id), units in (await expired_holds(skus)).items():
                if node_id in levels[sku]:
                    levels[sku][node_id] += units
        capped = [node_id for node_id, (head, _) in nodes.items() if head[-1] is not None]
        background = await _fulfillments(orders, capped) if orders else {}
        weighs_backlog = any(rule.weights.get("backlog") > 0 for rule in rules)
        backlog = await backlog_by_node(nodes) if weighs_backlog else {}
        return cls(nodes, levels, ledger, background, backlog,
                   await _rate_tables(orders, skus))

    def decide(self, order: PastOrder, channel: Channel, rules: Sequence[Rule],
               replayed: Tally) -> tuple[tuple[Allocation, ...], int]:
        """Source `order` over the levels as they stand at its moment, and hold its picks."""
        if self.ledger is not None:
            self._walk_to(order.at)
            self._hand_over(order)
        rule = select_rule(rules, channel.code, order.delivery_method, order.at)
        view = self.views.get(channel.id)
        if view is None:
            view = self.views[channel.id] = channel_view(channel)
        request = SourcingRequest(
            view, order.delivery_method, order.destination,
            self.codes.get(order.pickup_node_id) if order.pickup_node_id else None, order.lines,
            shipping=self.shipping.get(channel.currency)
            if order.delivery_method is DeliveryMethod.SHIP_TO_ADDRESS else None)
        decision = decide(request, rule, self._snapshots(order, channel, rule, replayed),
                          explain=False)
        wanted = sum(quantity for _, quantity in order.lines)
        if decision.backordered and not rule.allow_backorder:
            return (), wanted
        for pick in decision.allocations:
            self.levels[pick.sku][self.ids[pick.node_code]] -= pick.quantity
        return decision.allocations, sum(quantity for _, quantity in decision.backordered)

    def _walk_to(self, moment: datetime) -> None:
        ledger = self.ledger
        assert ledger is not None
        entries, skipped, early, levels = ledger.entries, ledger.skipped, ledger.early, self.levels
        done = ledger.done
        while done < len(entries) and entries[done][0] < moment:
            _, entry_id, sku, node_id, bucket, delta, reference, _ = entries[done]
            if reference not in skipped and entry_id not in early:
                at_sku = levels[sku]
                at_sku[node_id] = at_sku.get(node_id, 0) + _freed(bucket, delta)
            done += 1
        ledger.done = done

    def _hand_over(self, order: PastOrder) -> None:
        """Give back the cart hold the order consumed, before it is decided."""
        assert self.ledger is not None
        for _, entry_id, sku, node_id, bucket, delta, _, _ in self.ledger.handed_over.pop(
                order.reference, ()):
            at_sku = self.levels[sku]
            at_sku[node_id] = at_sku.get(node_id, 0) + _freed(bucket, delta)
            self.ledger.early.add(entry_id)

    def _snapshots(self, order: PastOrder, channel: Channel, rule: Rule,
                   replayed: Tally) -> list[NodeSnapshot]:
        """The nodes with something of the order to promise on `channel` (and the pickup
        node): the engine excludes the others before ranking, so leaving them out changes
        no decision, and an order over a network of hundreds of nodes costs a fraction."""
        stock: dict[int, dict[str, int]] = defaultdict(dict)
        plain = not channel.buffer and channel.allocation_percent == 100
        for sku in dict.fromkeys(sku for sku, _ in order.lines):
            at_sku = self.levels.get(sku, {})
            if plain:
                held = [(node_id, free) for node_id, free in at_sku.items() if free > 0]
            else:
                held = [(node_id, share) for node_id, free in at_sku.items()
                        if free > 0 and (share := channel_share(channel, free))]
            for node_id, units in held:
                stock[node_id][sku] = units
        if order.pickup_node_id is not None:
            stock = {order.pickup_node_id: stock.get(order.pickup_node_id, {})}
        day, moment = order.at.date(), order.at
        capped = rule.respect_capacity
        others: Mapping[int, list[datetime]] = self.background.get(day, {})
        mine: Mapping[str, int] = replayed.on_day.get(day, {})
        nodes, backlog = self.nodes, self.backlog
        snapshots = []
        for node_id in sorted(stock):
            fixed = nodes.get(node_id)
            if fixed is None:
                continue
            head, tail = fixed
            today = 0
            if capped and head[-1] is not None:
                today = bisect_left(others.get(node_id, ()), moment) + mine.get(head[0], 0)
            snapshots.append(tuple.__new__(NodeSnapshot, (*head, today, backlog.get(node_id, 0),
                                                          *tail, stock[node_id])))
        return snapshots


def _freed(bucket: str, delta: int) -> int:
    """How much an entry's `delta` frees: units on hand are free, reserved ones are not."""
    return delta if bucket == StockBucket.ON_HAND else -delta


async def _fulfillments(orders: Sequence[PastOrder], capped: Sequence[int]) -> Times:
    """The capped nodes' other fulfillments over the days the replayed orders were placed
    (the replayed orders' own are the replay's to count)."""
    first, last = orders[0].at, orders[-1].at
    opened = datetime.combine(first.date(), datetime.min.time(), tzinfo=first.tzinfo)
    closed = datetime.combine(last.date() + timedelta(days=1), datetime.min.time(),
                              tzinfo=first.tzinfo)
    return await past.fulfillment_times(capped, opened, closed, {order.id for order in orders})


async def _rate_tables(orders: Sequence[PastOrder], skus: Sequence[str]
                       ) -> dict[str, ShippingTable | None]:
    """The rate table per currency of the replayed orders' channels (None without rates)."""
    currencies = await Channel.filter(id__in={o.channel_id for o in orders}).values_list(
        "currency", flat=True)
    known = {}
    for chunk in past.chunks(skus):
        for code, weight, shipping_class in await Sku.filter(code__in=chunk).values_list(
                "code", "weight_kg", "shipping_class"):
            known[code] = item_info(weight, shipping_class)
    return {str(currency): await load_table(str(currency), known) for currency in set(currencies)}


class Tally:
    """Adds up one way of sourcing the replayed orders into an `Outcome`."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.points = {row[0][0]: (row[0][3], row[0][4], row[0][5])
                       for row in network.nodes.values()}
        self.orders = self.fully_sourced = self.backordered = self.shipments = self.splits = 0
        self.distances: list[float] = []
        self.units: Counter[str] = Counter()
        self.fulfillments: Counter[str] = Counter()
        self.on_day: dict[date, Counter[str]] = defaultdict(Counter)
        "Fulfillments per day, per node code."

    def add(self, order: PastOrder, allocations: Sequence[Allocation], backordered: int) -> None:
        self.orders += 1
        self.backordered += backordered
        if not backordered:
            self.fully_sourced += 1
        codes = list(dict.fromkeys(a.node_code for a in allocations))
        self.shipments += len(codes)
        if len(codes) > 1:
            self.splits += 1
        for allocation in allocations:
            self.units[allocation.node_code] += allocation.quantity
        target = order.destination
        point = resolve_point(target.latitude, target.longitude, target.country) \
            if target is not None else None
        day = order.at.date()
        for code in codes:
            self.fulfillments[code] += 1
            self.on_day[day][code] += 1
            place = self.points.get(code)
            if point is not None and place is not None:
                km = distance_km(*place, point)
                if km is not None:
                    self.distances.append(km)

    def outcome(self) -> Outcome:
        return Outcome(
            orders=self.orders, fully_sourced=self.fully_sourced,
            backordered_units=self.backordered, shipments=self.shipments,
            split_rate=self.splits / self.orders if self.orders else 0.0,
            mean_distance_km=sum(self.distances) / len(self.distances) if self.distances else 0.0,
            capacity_breaches=self._breaches(),
            node_load=tuple(NodeLoad(code, self.units[code], self.fulfillments[code])
                            for code in sorted(self.fulfillments,
                                               key=lambda c: (-self.units[c], c))),
        )

    def _breaches(self) -> int:
        """Fulfillments beyond each capped node's daily capacity, summed over nodes and days
        (the other orders' fulfillments count too, as recorded)."""
        network = self.network
        days = {(code, day) for day, counts in self.on_day.items() for code in counts}
        days |= {(network.codes[node_id], day)
                 for day, at_nodes in network.background.items() for node_id in at_nodes}
        beyond = 0
        for code, day in days:
            node_id = network.ids.get(code)
            limit = network.nodes[node_id][0][-1] if node_id is not None else None
            if node_id is not None and limit is not None:
                others = len(network.background.get(day, {}).get(node_id, ()))
                beyond += max(0, others + self.on_day[day][code] - limit)
        return beyond
