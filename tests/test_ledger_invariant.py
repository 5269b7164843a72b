"""Ledger invariant: after any journey, for every (sku, node) and every bucket, the sum of
the ledger's deltas equals the stored level (on-hand, reserved, scrapped, return-to-vendor)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import tests.test_fulfillment as fulfillment
import tests.test_returns as returns
from oms.models import InventoryPosition, StockLedgerEntry
from tests.helpers import ledger_mismatches

Journey = Callable[[Any], Awaitable[None]]
JOURNEYS: list[Journey] = [
    fulfillment.test_ship_to_home_split_over_two_nodes_is_delivered_and_captured,
    fulfillment.test_buy_online_pick_up_in_store_is_picked_up_and_captured,
    fulfillment.test_a_store_rejection_is_sourced_again_elsewhere_then_backordered,
    fulfillment.test_partial_cancellation_releases_holds_and_voids_that_amount,
    fulfillment.test_cancelling_a_whole_order_cancels_its_fulfillments_and_voids,
    fulfillment.test_a_shipped_partially_order_cancels_only_what_is_left,
    fulfillment.test_every_illegal_transition_is_refused_and_changes_nothing,
    fulfillment.test_stock_arriving_serves_a_rejected_backorder_but_never_at_the_rejecting_node,
    returns.test_return_in_store_restocks_there_scraps_the_rest_and_refunds_once,
    returns.test_a_partial_return_refunds_what_came_back_and_numbers_go_on,
    returns.test_bad_returns_are_refused_with_stable_codes_and_write_nothing,
]
@pytest.mark.parametrize("journey", JOURNEYS, ids=lambda j: j.__name__.removeprefix("test_"))
async def test_ledger_deltas_add_up_to_every_level_after_the_journey(
        api: Any, journey: Journey) -> None:
    await journey(api)
    assert await StockLedgerEntry.exclude(reason="SYNC").count() > 0
    assert await ledger_mismatches() == []


async def test_the_check_sees_a_level_changed_behind_the_ledger(api: Any) -> None:
    await fulfillment.test_partial_cancellation_releases_holds_and_voids_that_amount(api)
    pos = await InventoryPosition.filter(sku="A").first()
    assert pos is not None
    pos.on_hand += 1
    await pos.save(update_fields=["on_hand"])
    assert len(await ledger_mismatches()) == 1
