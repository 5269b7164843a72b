"""Source a request and hold the stock it was given, without ever overselling.

The stock rows of the request's SKUs are read locked, in (sku, node) order
(`inventory.lock_levels`), so concurrent orders for the same SKUs queue rather than
deadlock, and the decision made on those figures can be held. Each pick is still
held with the inventory module's conditional update; should one fail all the same
(e.g. holds of an expired cart not yet swept), the picks held so far are given
back and the request is decided again; after the last attempt whatever could not
be held is backordered.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import NamedTuple

from oms import inventory
from oms.enums import SplitPolicy
from oms.models import Channel
from oms.routing.snapshot import load_snapshot
from oms.sourcing import Allocation, Decision, Rule, SourcingRequest, decide
from oms.uow import UnitOfWork

ATTEMPTS = 3


class Sourced(NamedTuple):
    decision: Decision
    node_ids: dict[str, int]
    "Database id per node code."


async def simulate(channel: Channel, request: SourcingRequest, rule: Rule) -> Decision:
    """The decision the engine would make now (reads only)."""
    network = await load_snapshot(channel, request.demand(), rule,
                                  pickup_code=request.pickup_node_code)
    return decide(request, rule, network.nodes)


async def source_and_hold(uow: UnitOfWork, channel: Channel, request: SourcingRequest,
                          rule: Rule, reference: str, reason: str = "RESERVE",
                          count_expired: bool = True) -> Sourced:
    """Decide and hold every allocation; what cannot be held is backordered."""
    for attempt in range(1, ATTEMPTS + 1):
        network = await load_snapshot(channel, request.demand(), rule, count_expired,
                                      request.pickup_node_code, lock=True)
        decision = decide(request, rule, network.nodes)
        held, missed = await _hold(uow, decision, network.ids, reference, reason)
        if not missed:
            return Sourced(decision, network.ids)
        if attempt < ATTEMPTS:
            await release(uow, held, network.ids, reference, "RETRY")
    if rule.split_policy is SplitPolicy.SHIP_COMPLETE:
        await release(uow, held, network.ids, reference, "RETRY")
        held, missed = [], list(decision.allocations)
    return Sourced(_without(decision, held, missed), network.ids)


async def _hold(uow: UnitOfWork, decision: Decision, ids: dict[str, int],
                reference: str, reason: str) -> tuple[list[Allocation], list[Allocation]]:
    held: list[Allocation] = []
    missed: list[Allocation] = []
    for pick in sorted(decision.allocations, key=lambda a: (a.sku, ids[a.node_code])):
        ok = await inventory.try_hold(uow, pick.sku, ids[pick.node_code], pick.quantity,
                                      reason, reference)
        (held if ok else missed).append(pick)
    return held, missed


async def release(uow: UnitOfWork, picks: Sequence[Allocation], ids: dict[str, int],
                  reference: str, reason: str) -> None:
    """Give back holds made for `picks` (`ids`: node id per node code)."""
    for pick in sorted(picks, key=lambda a: (a.sku, ids[a.node_code])):
        await inventory.release_hold(uow, pick.sku, ids[pick.node_code], pick.quantity,
                                     reason, reference)


def _without(decision: Decision, held: list[Allocation], missed: list[Allocation]) -> Decision:
    short: dict[str, int] = dict(decision.backordered)
    for pick in missed:
        short[pick.sku] = short.get(pick.sku, 0) + pick.quantity
    kept = tuple(a for a in decision.allocations if a in held)
    selected = {a.node_code for a in kept}
    candidates = tuple(dataclasses.replace(c, selected=c.node_code in selected)
                       for c in decision.candidates)
    return dataclasses.replace(decision, allocations=kept, backordered=tuple(short.items()),
                               candidates=candidates)
