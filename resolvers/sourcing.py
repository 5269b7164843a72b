"""Routing rules and sourcing decisions: rule CRUD, dry runs, and recorded decisions."""
from __future__ import annotations

import strawberry

from oms import scopes
from oms.orders import queries
from oms.orders.simulation import simulate_order
from oms.routing import replay, rules, versions
from oms.scopes import Scope
from resolvers.base import answer, mutate
from schema.context import Info
from schema.orders import PlaceOrderInput
from schema.replay import SourcingReplay, SourcingReplayInput
from schema.sourcing import (
    RoutingRule,
    RoutingRuleInput,
    RoutingRulePayload,
    RoutingRuleVersion,
    SourcingDecision,
)


@strawberry.type
class SourcingQuery:
    @strawberry.field(description="The rules for every channel, and for the token's channels "
                                  "when it is limited to some.")
    async def routing_rules(self, info: Info) -> list[RoutingRule]:
        who = await info.context.require(*scopes.READ_RULES)
        return [RoutingRule.of(row, who) for row in await rules.list_rules(who)]

    @strawberry.field(description="Dry run: how this order would be sourced now, changing nothing.")
    async def simulate_sourcing(self, info: Info, input: PlaceOrderInput) -> SourcingDecision:
        who = await info.context.require(*scopes.SIMULATE)
        return SourcingDecision.of(await answer(simulate_order(who, input.to_spec())), who)

    @strawberry.field(description="The decision recorded when the order was last sourced.")
    async def sourcing_decision(self, info: Info, order_id: strawberry.ID) -> SourcingDecision | None:
        who = await info.context.require(*scopes.READ_DECISIONS)
        record = await queries.latest_decision(who, str(order_id))
        return SourcingDecision.of_record(record, who) if record else None

    @strawberry.field(description=(
        "What-if: replay past orders through a proposed rule set; changes nothing. The "
        "orders of the token's channels only."))
    async def replay_sourcing(self, info: Info, input: SourcingReplayInput) -> SourcingReplay:
        who = await info.context.require(*scopes.REPLAY_SOURCING)
        return SourcingReplay.of(await answer(replay.replay_sourcing(who, input.to_spec())))

    @strawberry.field(description="A rule as it stood at `version`.")
    async def routing_rule_version(self, info: Info, id: strawberry.ID,
                                   version: int) -> RoutingRuleVersion | None:
        who = await info.context.require(*scopes.READ_RULES)
        saved = await versions.find_version(who, str(id), version)
        return RoutingRuleVersion.of(saved, who) if saved else None


@strawberry.type
class SourcingMutation:
    @strawberry.mutation
    async def upsert_routing_rule(self, info: Info, input: RoutingRuleInput) -> RoutingRulePayload:
        spec = input.to_spec()
        out = await mutate(info, (Scope.ROUTING_WRITE,),
                           lambda uow, who: rules.upsert_rule(uow, who, spec),
                           audit=lambda rule: f"rule:{rule.id}")
        return RoutingRulePayload(rule=out.map(RoutingRule.of), user_errors=out.user_errors)

    @strawberry.mutation
    async def delete_routing_rule(self, info: Info, id: strawberry.ID) -> RoutingRulePayload:
        out = await mutate(info, (Scope.ROUTING_WRITE,),
                           lambda uow, who: rules.delete_rule(uow, who, str(id)),
                           audit=lambda rule: f"rule:{rule.id}")
        return RoutingRulePayload(rule=out.map(RoutingRule.of), user_errors=out.user_errors)

    @strawberry.mutation(description="Make an earlier version the current one again (as a new version).")
    async def restore_routing_rule(self, info: Info, id: strawberry.ID,
                                   version: int) -> RoutingRulePayload:
        out = await mutate(info, (Scope.ROUTING_WRITE,),
                           lambda uow, who: versions.restore_rule(uow, who, str(id), version),
                           audit=lambda rule: f"rule:{rule.id}")
        return RoutingRulePayload(rule=out.map(RoutingRule.of), user_errors=out.user_errors)
