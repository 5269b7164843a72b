"""A limited token reaches nothing beyond its limits by what it writes: a retried placement
returns an order only to a token that may see its channel, tokens it creates are at most as
wide as itself, and routing rules it edits name only its channels."""
from __future__ import annotations

from typing import Any

from oms.models import ApiToken
from tests.conftest import make_token
from tests.helpers import channel, node
from tests.order_helpers import PLACE, network, order_input

CREATE_TOKEN = """
mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    secret token { channels nodes } userErrors { code message field }
  }
}"""


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def created(api: Any, **limits: list[str]) -> dict[str, Any]:
    asked = {"name": "made", "scopes": ["orders:read"], **limits}
    return dict((await api(CREATE_TOKEN, {"input": asked}))["createApiToken"])


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


async def test_a_limited_admin_creates_tokens_at_most_as_wide_as_itself(api: Any) -> None:
    for code in ("WH1", "ST1"):
        await node(api, code)
    for code in ("web", "mkt"):
        await channel(api, code)
    admin = api.as_(await make_token(["admin"], channels=["web"], nodes=["WH1"]))
    before = await ApiToken.all().count()
    refused = {
        "no channels": ({"nodes": ["WH1"]}, [("INVALID_INPUT", ["channels"])]),
        "no nodes": ({"channels": ["web"]}, [("INVALID_INPUT", ["nodes"])]),
        "another channel": ({"channels": ["web", "mkt"], "nodes": ["WH1"]},
                            [("UNKNOWN_CHANNEL", ["channels", "1"])]),
        "another node": ({"channels": ["web"], "nodes": ["ST1", "WH1"]},
                         [("NODE_NOT_ALLOWED", ["nodes", "0"])]),
        "nothing": ({}, [("INVALID_INPUT", ["channels"]), ("INVALID_INPUT", ["nodes"])]),
    }
    for name, (limits, expected) in refused.items():
        payload = await created(admin, **limits)
        assert errors(payload) == expected, name
        assert payload["token"] is None and payload["secret"] is None, name
    assert await ApiToken.all().count() == before
    made = await created(admin, channels=["web"], nodes=["WH1"])
    assert made["userErrors"] == [] and made["token"] == {"channels": ["web"], "nodes": ["WH1"]}


async def test_a_channel_outside_the_creators_limits_looks_like_an_unknown_one(api: Any) -> None:
    await channel(api, "web")
    await channel(api, "mkt")
    admin = api.as_(await make_token(["admin"], channels=["web"]))
    messages = [(await created(admin, channels=[code]))["userErrors"][0]["message"]
                for code in ("mkt", "nowhere")]
    assert messages == ["unknown channel 'mkt'", "unknown channel 'nowhere'"]
    only_channels = await created(admin, channels=["web"])
    assert only_channels["userErrors"] == [], "not node-limited: it may leave nodes open"
    assert only_channels["token"] == {"channels": ["web"], "nodes": []}
    unlimited = api.as_(await make_token(["admin"]))
    assert (await created(unlimited))["token"] == {"channels": [], "nodes": []}
