"""A limited token reaches nothing beyond its limits by what it writes: a retried placement
returns an order only to a token that may see its channel, tokens it creates are at most as
wide as itself, and routing rules it edits name only its channels."""
from __future__ import annotations

from typing import Any

from tests.conftest import make_token
from tests.order_helpers import PLACE, network, order_input


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def test_a_retried_placement_returns_the_order_only_within_the_channel_limits(
        api: Any) -> None:
    await network(api, ("MIL",))
    await api("mutation { upsertChannel(input: {code: \"mkt\", name: \"mkt\", type: MARKETPLACE, "
              "currency: \"EUR\"}) { userErrors { code } } }")
    await api('mutation { syncInventory(records: [{sku: "A", nodeCode: "MIL", onHand: 5}]) '
              "{ userErrors { code } } }")
    asked = {"input": order_input(("A", 1), idempotencyKey="retry-1")}
    web = api.as_(await make_token(["orders:write"], channels=["web"]))
    placed = (await web(PLACE, asked))["placeOrder"]
    assert placed["userErrors"] == []
    for scope in ("orders:write", "admin"):
        other = api.as_(await make_token([scope], channels=["mkt"]))
        replayed = (await other(PLACE, asked))["placeOrder"]
        assert replayed["order"] is None, scope
        assert errors(replayed) == [("UNKNOWN_CHANNEL", ["channel"])], scope
    again = (await web(PLACE, asked))["placeOrder"]
    assert again["order"]["id"] == placed["order"]["id"]
