"""simulateSourcing: the decision placeOrder would make now, with nothing written."""
from __future__ import annotations

from oms.auth import Principal
from oms.clock import now
from oms.orders.allocate import simulate
from oms.orders.inputs import OrderSpec
from oms.orders.placement import sourcing_request
from oms.orders.validation import CheckedOrder, check_order
from oms.routing.rules import engine_rules
from oms.sourcing import Decision, select_rule


async def simulate_order(principal: Principal | None, spec: OrderSpec) -> Decision:
    """Validate `spec` like placeOrder and decide it on current figures; reads only."""
    return (await simulate_checked(principal, spec))[1]


async def simulate_checked(principal: Principal | None,
                           spec: OrderSpec) -> tuple[CheckedOrder, Decision]:
    """The checked order and the decision placeOrder would make for it now."""
    checked = await check_order(spec, principal)
    rule = select_rule(await engine_rules(), checked.channel.code, spec.delivery_method, now())
    return checked, await simulate(checked.channel, sourcing_request(checked), rule)
