"""Source a request and hold the stock it was given, without ever overselling.

The snapshot is read without row locks; each pick is then held with the inventory
module's conditional update, which re-checks the node's safety stock and the
channel's buffer and share on the row itself, so nothing is promised twice however
many orders race. Holds are taken in (sku, node) order, all of an attempt or none
(`inventory.take_holds`): when one fails, the attempt is undone, row locks included,
and the whole request is decided again on fresh figures, so the decision stays the
engine's own (fewest nodes, candidates and reasons) rather than a patchwork. After the
last attempt whatever could not be held is backordered (SHIP_COMPLETE: all of it).

Cart holds being consumed or already expired are given back in the same ordered
pass as the new holds (`freed`), and count as free in the snapshot.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import NamedTuple

from oms import inventory
from oms.enums import SplitPolicy, StockReason
from oms.inventory import Hold, Release
from oms.models import Channel
from oms.orders.expiry import expire_holds
from oms.routing.snapshot import Network, load_snapshot
from oms.sourcing import Allocation, Decision, Rule, SourcingRequest, decide
from oms.uow import UnitOfWork

ATTEMPTS = 3


class Sourced(NamedTuple):
    decision: Decision
    node_ids: dict[str, int]
    "Database id per node code."


async def simulate(channel: Channel, request: SourcingRequest, rule: Rule) -> Decision:
    """The decision the engine would make now (reads only)."""
    network = await load_snapshot(channel, request.demand(), rule, request.pickup_node_code,
                                  count_expired=True)
    return decide(request, rule, network.nodes)


async def source_and_hold(uow: UnitOfWork, channel: Channel, request: SourcingRequest,
                          rule: Rule, reference: str, reason: StockReason = StockReason.RESERVE,
                          freed: Sequence[Release] = ()) -> Sourced:
    """Decide and hold every allocation; what cannot be held is backordered.

    `freed`: reserved units to give back in the same pass (a consumed cart hold).
    """
    releases = list(freed)
    whole = True
    for attempt in range(1, ATTEMPTS + 1):
        network = await _network(uow, channel, request, rule, releases)
        decision = decide(request, rule, network.nodes)
        whole = attempt < ATTEMPTS or rule.split_policy is SplitPolicy.SHIP_COMPLETE
        picks = _holds(decision, network.ids)
        missed = await inventory.take_holds(uow, picks, reason, reference, channel, releases,
                                            all_or_nothing=whole)
        if not missed:
            return Sourced(decision, network.ids)
    if whole:
        await inventory.take_holds(uow, [], reason, reference, releases=releases)
    return Sourced(_without(decision, network.ids, missed), network.ids)


async def _network(uow: UnitOfWork, channel: Channel, request: SourcingRequest, rule: Rule,
                   releases: list[Release]) -> Network:
    """The snapshot; cart holds found expired are expired first (added to `releases`), so
    they never block an order."""
    network = await load_snapshot(channel, request.demand(), rule, request.pickup_node_code,
                                  releases)
    if not network.expired:
        return network
    _, expired = await expire_holds(uow, request.demand())
    releases += expired
    return await load_snapshot(channel, request.demand(), rule, request.pickup_node_code,
                               releases)


def _holds(decision: Decision, ids: dict[str, int]) -> list[Hold]:
    return [Hold(a.sku, ids[a.node_code], a.quantity) for a in decision.allocations]


def _without(decision: Decision, ids: dict[str, int], missed: Sequence[Hold]) -> Decision:
    """`decision` less the picks that could not be held (backordered instead)."""
    lost = {(hold.sku, hold.node_id) for hold in missed}
    short: dict[str, int] = dict(decision.backordered)
    kept: list[Allocation] = []
    for pick in decision.allocations:
        if (pick.sku, ids[pick.node_code]) in lost:
            short[pick.sku] = short.get(pick.sku, 0) + pick.quantity
        else:
            kept.append(pick)
    selected = {a.node_code for a in kept}
    candidates = tuple(c._replace(selected=c.node_code in selected)
                       for c in decision.candidates)
    return dataclasses.replace(decision, allocations=tuple(kept),
                               backordered=tuple(short.items()), candidates=candidates)
