"""What one placement costs in statements: the guard beside the optimisation, so a later
change cannot quietly add round trips to every order (see bench/order_placement.py)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from oms.catalog import ChannelSpec, NodeSpec, upsert_channel, upsert_node
from oms.config import Settings
from oms.enums import ChannelType, DeliveryMethod, NodeType
from oms.inventory import InventoryRecord, sync_inventory
from oms.orders.inputs import LineSpec, OrderSpec, PaymentSpec, Price
from oms.orders.placement import place_order
from oms.shipping.carriers import (
    CarrierSpec,
    RateSpec,
    ServiceSpec,
    set_shipping_rates,
    upsert_carrier,
)
from oms.uow import unit_of_work
from tests.helpers import statements
from tests.order_helpers import BERGAMO, PLACES

LIMIT = {"postgres": 16, "sqlite": 23}
"""Statements for a paid 2-line order held at one node, commit included (BEGIN/COMMIT aside);
one of them the customer's ORDER_CONFIRMED notification. Shipping adds none while no rate is
set: whether one is comes in the SKU check's statement."""


def _spec() -> OrderSpec:
    price = Price(Decimal("10.00"), "EUR")
    return OrderSpec(channel="web", customer_email="ann@example.com",
                     delivery_method=DeliveryMethod.SHIP_TO_ADDRESS, shipping_address=BERGAMO,
                     lines=[LineSpec("A", 1, price), LineSpec("B", 2, price)],
                     payment=PaymentSpec("psp-1", Price(Decimal("30.00"), "EUR")))


async def seed(channel: ChannelSpec, stock: list[InventoryRecord]) -> None:
    """Nodes MIL and TOR, `channel` and `stock`, straight through `oms` (no app running, so
    no background relay is cut off mid-transaction when the test ends)."""
    async with unit_of_work("test") as uow:
        for code, (lat, lon) in (("MIL", PLACES["MIL"]), ("TOR", PLACES["TOR"])):
            await upsert_node(uow, None, NodeSpec(code=code, name=code, type=NodeType.WAREHOUSE,
                                                  latitude=lat, longitude=lon))
        await upsert_channel(uow, None, channel)
        await sync_inventory(uow, stock)


async def test_a_placement_costs_a_bounded_number_of_statements(database: Settings) -> None:
    await seed(ChannelSpec(code="web", name="web", type=ChannelType.WEB, currency="EUR"),
               [InventoryRecord("A", "MIL", 5), InventoryRecord("B", "MIL", 5),
                InventoryRecord("A", "TOR", 5)])
    async with unit_of_work("warm-up") as uow:
        await place_order(uow, None, _spec())
    with statements() as seen:
        async with unit_of_work("test") as uow:
            order = await place_order(uow, None, _spec())
    assert order.number == "WEB-000002"
    dialect = "postgres" if database.is_postgres else "sqlite"
    assert len(seen) <= LIMIT[dialect], "\n".join(s[:120] for s in seen)


SHIPPING_READS = 2
"With rates set: the rates in the channel's currency, then their services."


async def test_charging_shipping_costs_two_reads(database: Settings) -> None:
    await seed(ChannelSpec(code="web", name="web", type=ChannelType.WEB, currency="EUR"),
               [InventoryRecord("A", "MIL", 5), InventoryRecord("B", "MIL", 5)])
    async with unit_of_work("test") as uow:
        await upsert_carrier(uow, CarrierSpec("POST", "Post", [ServiceSpec("STD", "Std", 3)]))
        await set_shipping_rates(uow, [RateSpec("STD", 30, Price(Decimal("5.90"), "EUR"))])
    spec = replace(_spec(), payment=PaymentSpec("psp-1", Price(Decimal("35.90"), "EUR")))
    async with unit_of_work("warm-up") as uow:
        await place_order(uow, None, spec)
    with statements() as seen:
        async with unit_of_work("test") as uow:
            order = await place_order(uow, None, spec)
    assert (order.total, order.shipping_total) == (Decimal("35.90"), Decimal("5.90"))
    dialect = "postgres" if database.is_postgres else "sqlite"
    assert len(seen) <= LIMIT[dialect] + SHIPPING_READS, "\n".join(s[:120] for s in seen)
