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
   own picks. CURRENT starts from today's levels (expired cart holds free). Either way each
   replayed order holds what it is given, so later orders meet what is left.
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

import json
import random
import time
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tortoise import connections

from oms.auth import Principal
from oms.availability import channel_share, expired_holds
from oms.db import is_postgres
from oms.enums import DeliveryMethod, ReplayStock, StockBucket
from oms.errors import DomainError, ErrorCode, Problems
from oms.fulfillment.backlog import backlog_by_node
from oms.models import Channel, Fulfillment, InventoryPosition, Node, Order, OrderLine, Sku, StockLedgerEntry
from oms.routing.rules import RuleSpec, check_spec, engine_rules, tried_rule
from oms.routing.snapshot import NODE_FIELDS, channel_view, destination, fixed_fields
from oms.shipping.pricing import ShippingTable
from oms.shipping.skus import item_info
from oms.shipping.tables import load_table
from oms.sourcing import Allocation, Destination, NodeSnapshot, Rule, SourcingRequest, decide, select_rule
from oms.sourcing.geo import distance_km, resolve_point

SAMPLE_SEED = 12
"The sample's seed: a window replayed twice meets the same orders."
MAX_LIMIT = 50_000
MAX_WINDOW = timedelta(days=366)
EXAMPLES = 50
"Most changed orders kept side by side."
CHUNK = 500
"Ids or SKUs per `IN (...)` list."


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


@dataclass(frozen=True, slots=True)
class PastOrder:
    """A replayed order: what it asked for, and what placement gave it."""

    id: str
    at: datetime
    channel_id: int
    delivery_method: DeliveryMethod
    destination: Destination | None
    pickup_node_id: int | None
    lines: tuple[tuple[str, int], ...]
    actual: tuple[Allocation, ...]
    actual_backordered: int

    @property
    def reference(self) -> str:
        "How the ledger names the order's own stock movements."
        return f"order:{self.id}"


async def replay_sourcing(principal: Principal | None, spec: ReplaySpec) -> Replay:
    """Replay the window's orders under `spec.rules` (see the module docstring)."""
    started = time.perf_counter()
    channels = await _check(principal, spec)
    rules = await _tried_rules(spec.rules)
    window = await _window(spec, channels)
    orders = await _past_orders(_sample(window, spec.limit))
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


async def _tried_rules(changes: Sequence[RuleSpec] | None) -> list[Rule]:
    """The live rules with `changes` applied: an id replaces that rule, no id adds one."""
    live = await engine_rules()
    if changes is None:
        return live
    known = {rule.id for rule in live}
    unknown = [str(c.id) for c in changes if c.id is not None and c.id not in known]
    if unknown:
        raise DomainError.of(ErrorCode.NOT_FOUND, f"no routing rule {', '.join(unknown)}", "rules")
    tried = {rule.id: rule for rule in live}
    for change in changes:
        rule = tried_rule(change)
        tried[rule.id] = rule
    return list(tried.values())


async def _window(spec: ReplaySpec, channels: Mapping[int, Channel]) -> list[str]:
    """Ids of the window's orders on `channels`, oldest first."""
    rows = await Order.filter(created_at__gte=spec.start, created_at__lt=spec.end,
                              channel_id__in=list(channels)) \
        .order_by("created_at", "id").values_list("id", flat=True)
    return [str(order_id) for order_id in rows]


def _sample(ids: list[str], limit: int) -> list[str]:
    """At most `limit` of `ids`, uniformly (seeded), in their order."""
    if len(ids) <= limit:
        return ids
    chosen = random.Random(SAMPLE_SEED).sample(range(len(ids)), limit)
    return [ids[index] for index in sorted(chosen)]


async def _past_orders(ids: list[str]) -> list[PastOrder]:
    """The orders with their lines and placement's decision, oldest first."""
    lines: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    decided: dict[str, tuple[tuple[Allocation, ...], int]] = {}
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(ids):
        rows += await Order.filter(id__in=chunk).values_list(
            "id", "created_at", "channel_id", "delivery_method", "shipping_address",
            "pickup_node_id")
        for order_id, position, sku, quantity in await OrderLine.filter(
                order_id__in=chunk).values_list("order_id", "position", "sku", "quantity"):
            lines[str(order_id)].append((position, sku, quantity))
        decided.update(await _first_decisions(chunk))
    orders = []
    for order_id, at, channel_id, method, address, pickup in rows:
        key = str(order_id)
        asked = tuple((sku, quantity) for _, sku, quantity in sorted(lines[key]))
        actual, short = decided.get(key, ((), sum(q for _, q in asked)))
        method = DeliveryMethod(method)
        if isinstance(address, str):
            address = json.loads(address)
        orders.append(PastOrder(key, at, channel_id, method, destination(method, address), pickup,
                                asked, actual, short))
    orders.sort(key=lambda o: (o.at, o.id))
    return orders


async def _first_decisions(order_ids: Sequence[str]) -> dict[str, tuple[tuple[Allocation, ...], int]]:
    """Per order, placement's allocations and backordered units (only those parts of the JSON
    are read: a decision's candidates can list a thousand nodes)."""
    conn = connections.get("default")
    if is_postgres(conn):
        sql = ('SELECT d."order_id", d."decision"->\'allocations\', d."decision"->\'backordered\' '
               'FROM "sourcing_decision" d WHERE d."id" IN (SELECT MIN("id") FROM '
               '"sourcing_decision" WHERE "order_id" = ANY($1::uuid[]) GROUP BY "order_id")')
        values: list[Any] = [list(order_ids)]
    else:
        marks = ", ".join("?" * len(order_ids))
        sql = ('SELECT d."order_id", json_extract(d."decision", \'$.allocations\'), '
               'json_extract(d."decision", \'$.backordered\') FROM "sourcing_decision" d '
               f'WHERE d."id" IN (SELECT MIN("id") FROM "sourcing_decision" WHERE "order_id" '
               f'IN ({marks}) GROUP BY "order_id")')
        values = list(order_ids)
    _, rows = await conn.execute_query(sql, values)
    found = {}
    for order_id, allocations, backordered in rows:
        picks = _json(allocations)
        short = _json(backordered)
        found[str(order_id)] = (tuple(Allocation(p["node_code"], p["sku"], p["quantity"])
                                      for p in picks), sum(b["quantity"] for b in short))
    return found


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value or []


def _chunks(items: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield list(items[start:start + CHUNK])


Key = tuple[str, int]
"(sku, node id)"
ON_HAND, RESERVED = 0, 1


@dataclass
class Ledger:
    """The stock entries since the window opened, oldest first, and how far the walk is."""

    entries: list[tuple[datetime, int, str, int, str, int, str | None]]
    skipped: frozenset[str]
    "References of the replayed orders: their own entries are replaced by the replay's picks."
    done: int = 0


class Network:
    """The nodes and stock levels the replay decides over, kept as it goes."""

    def __init__(self, nodes: dict[int, tuple[Any, ...]], levels: dict[Key, list[int]],
                 safety: dict[Key, int], ledger: Ledger | None, background: dict[tuple[int, date],
                 list[datetime]], backlog: dict[int, int], shipping: dict[str, ShippingTable | None]):
        self.nodes = nodes
        self.codes = {node_id: row[0][0] for node_id, row in nodes.items()}
        self.ids = {code: node_id for node_id, code in self.codes.items()}
        self.levels = levels
        self.safety = safety
        self.ledger = ledger
        self.background = background
        self.backlog = backlog
        self.shipping = shipping
        self.nodes_of: dict[str, list[int]] = defaultdict(list)
        for sku, node_id in sorted(levels, key=lambda key: key[1]):
            self.nodes_of[sku].append(node_id)

    @classmethod
    async def load(cls, orders: Sequence[PastOrder], spec: ReplaySpec,
                   rules: Sequence[Rule]) -> Network:
        skus = sorted({sku for order in orders for sku, _ in order.lines})
        rows = await Node.all().values_list("id", *NODE_FIELDS)
        nodes = {row[0]: fixed_fields(tuple(row[1:])) for row in rows}
        levels, safety = await _positions(skus)
        ledger = None
        if spec.stock is ReplayStock.AT_ORDER_TIME:
            entries = await _entries_since(spec.start, skus)
            for _, _, sku, node_id, bucket, delta, _ in entries:  # back to the window's opening
                levels.setdefault((sku, node_id), [0, 0])[_column(bucket)] -= delta
            ledger = Ledger(entries, frozenset(order.reference for order in orders))
        else:
            for key, units in (await expired_holds(skus)).items():
                if key in levels:
                    levels[key][RESERVED] -= units
        capped = [node_id for node_id, (head, _) in nodes.items() if head[-1] is not None]
        background = await _fulfillments(orders, spec, capped) if orders else {}
        weighs_backlog = any(rule.weights.get("backlog") > 0 for rule in rules)
        backlog = await backlog_by_node(nodes) if weighs_backlog else {}
        return cls(nodes, levels, safety, ledger, background, backlog,
                   await _rate_tables(orders, skus))

    def decide(self, order: PastOrder, channel: Channel, rules: Sequence[Rule],
               replayed: Tally) -> tuple[tuple[Allocation, ...], int]:
        """Source `order` over the levels as they stand at its moment, and hold its picks."""
        if self.ledger is not None:
            self._walk_to(order.at)
        rule = select_rule(rules, channel.code, order.delivery_method, order.at)
        request = SourcingRequest(
            channel_view(channel), order.delivery_method, order.destination,
            self.codes.get(order.pickup_node_id) if order.pickup_node_id else None, order.lines,
            shipping=self.shipping.get(channel.currency)
            if order.delivery_method is DeliveryMethod.SHIP_TO_ADDRESS else None)
        decision = decide(request, rule, self._snapshots(order, channel, rule, replayed))
        wanted = sum(quantity for _, quantity in order.lines)
        if decision.backordered and not rule.allow_backorder:
            return (), wanted
        for pick in decision.allocations:
            self.levels[(pick.sku, self.ids[pick.node_code])][RESERVED] += pick.quantity
        return decision.allocations, sum(quantity for _, quantity in decision.backordered)

    def _walk_to(self, moment: datetime) -> None:
        ledger = self.ledger
        assert ledger is not None
        entries, skipped, levels = ledger.entries, ledger.skipped, self.levels
        done = ledger.done
        while done < len(entries) and entries[done][0] < moment:
            _, _, sku, node_id, bucket, delta, reference = entries[done]
            if reference not in skipped:
                levels.setdefault((sku, node_id), [0, 0])[_column(bucket)] += delta
            done += 1
        ledger.done = done

    def _snapshots(self, order: PastOrder, channel: Channel, rule: Rule,
                   replayed: Tally) -> list[NodeSnapshot]:
        """The nodes with something of the order to promise on `channel` (and the pickup
        node): the engine excludes the others before ranking, so leaving them out changes
        no decision, and an order over a network of hundreds of nodes costs a fraction."""
        stock: dict[int, dict[str, int]] = defaultdict(dict)
        levels, safety = self.levels, self.safety
        for sku, _ in order.lines:
            for node_id in self.nodes_of.get(sku, ()):
                on_hand, reserved = levels[(sku, node_id)]
                free = on_hand - reserved - safety.get((sku, node_id), 0)
                if free > 0 and (share := channel_share(channel, free)):
                    stock[node_id][sku] = share
        if order.pickup_node_id is not None:
            stock = {order.pickup_node_id: stock.get(order.pickup_node_id, {})}
        day = order.at.date()
        snapshots = []
        for node_id in sorted(stock):
            if node_id not in self.nodes:
                continue
            head, tail = self.nodes[node_id]
            today = 0
            if rule.respect_capacity and head[-1] is not None:
                before = self.background.get((node_id, day), ())
                today = bisect_left(before, order.at) + replayed.per_day[(head[0], day)]
            snapshots.append(NodeSnapshot(*head, today, self.backlog.get(node_id, 0), *tail,  # type: ignore[call-arg]  # fields in order
                                          stock[node_id]))
        return snapshots


def _column(bucket: str) -> int:
    return ON_HAND if bucket == StockBucket.ON_HAND else RESERVED


async def _positions(skus: Sequence[str]) -> tuple[dict[Key, list[int]], dict[Key, int]]:
    """Today's (on_hand, reserved) and safety stock per position of `skus`."""
    levels: dict[Key, list[int]] = {}
    safety: dict[Key, int] = {}
    for chunk in _chunks(skus):
        for node_id, sku, on_hand, reserved, safety_stock in await InventoryPosition.filter(
                sku__in=chunk).values_list("node_id", "sku", "on_hand", "reserved", "safety_stock"):
            levels[(sku, node_id)] = [on_hand, reserved]
            safety[(sku, node_id)] = safety_stock
    return levels, safety


async def _entries_since(start: datetime, skus: Sequence[str]
                         ) -> list[tuple[datetime, int, str, int, str, int, str | None]]:
    """The on-hand and reserved ledger entries of `skus` from `start` on, oldest first."""
    entries: list[tuple[datetime, int, str, int, str, int, str | None]] = []
    buckets = [StockBucket.ON_HAND.value, StockBucket.RESERVED.value]
    for chunk in _chunks(skus):
        entries += await StockLedgerEntry.filter(
            at__gte=start, sku__in=chunk, bucket__in=buckets).values_list(
            "at", "id", "sku", "node_id", "bucket", "delta", "reference")
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return entries


async def _fulfillments(orders: Sequence[PastOrder], spec: ReplaySpec,
                        capped: Sequence[int]) -> dict[tuple[int, date], list[datetime]]:
    """When each capped node's other fulfillments were created, per day the window touches
    (the replayed orders' own are the replay's to count)."""
    if not capped:
        return {}
    opened = datetime.combine(orders[0].at.date(), datetime.min.time(), tzinfo=orders[0].at.tzinfo)
    closed = datetime.combine(orders[-1].at.date() + timedelta(days=1), datetime.min.time(),
                              tzinfo=orders[0].at.tzinfo)
    mine = {order.id for order in orders}
    found: dict[tuple[int, date], list[datetime]] = defaultdict(list)
    rows = await Fulfillment.filter(node_id__in=list(capped), created_at__gte=opened,
                                    created_at__lt=closed).values_list(
        "node_id", "order_id", "created_at")
    for node_id, order_id, at in rows:
        if str(order_id) not in mine:
            found[(node_id, at.date())].append(at)
    for times in found.values():
        times.sort()
    return found


async def _rate_tables(orders: Sequence[PastOrder], skus: Sequence[str]
                       ) -> dict[str, ShippingTable | None]:
    """The rate table per currency of the replayed orders' channels (None without rates)."""
    currencies = await Channel.filter(id__in={o.channel_id for o in orders}).values_list(
        "currency", flat=True)
    known = {}
    for chunk in _chunks(skus):
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
        self.per_day: Counter[tuple[str, date]] = Counter()

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
            self.per_day[(code, day)] += 1
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
        days = set(self.per_day) | {(network.codes[node_id], day)
                                    for node_id, day in network.background}
        beyond = 0
        for code, day in days:
            node_id = network.ids.get(code)
            limit = network.nodes[node_id][0][-1] if node_id is not None else None
            if node_id is not None and limit is not None:
                others = len(network.background.get((node_id, day), ()))
                beyond += max(0, others + self.per_day[(code, day)] - limit)
        return beyond
