"""A limited token reaches nothing beyond its limits by what it writes: a retried placement
returns an order only to a token that may see its channel, tokens it creates are at most as
wide as itself, and routing rules it edits name only its channels."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from oms.models import ApiToken
from tests.conftest import make_token
from tests.helpers import channel, node, stock
from tests.order_helpers import PLACE, network, order_input

CREATE_TOKEN = """
mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    secret token { channels nodes } userErrors { code message field }
  }
}"""


RULES = "{ routingRules { name channels } }"
UPSERT_RULE = """
mutation($input: RoutingRuleInput!) {
  upsertRoutingRule(input: $input) { rule { id name channels } userErrors { code message field } }
}"""
DELETE_RULE = """
mutation($id: ID!) { deleteRoutingRule(id: $id) { rule { id } userErrors { code message field } } }"""
SIMULATE = """query($input: PlaceOrderInput!) { simulateSourcing(input: $input) {
  rule { name channels } } }"""


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


async def upsert_rule(api: Any, **rule: Any) -> dict[str, Any]:
    asked = {"rank": 50, "active": False, **rule}
    return dict((await api(UPSERT_RULE, {"input": asked}))["upsertRoutingRule"])


async def delete_rule(api: Any, rule_id: str) -> dict[str, Any]:
    return dict((await api(DELETE_RULE, {"id": rule_id}))["deleteRoutingRule"])


async def rules_for_channels(api: Any) -> dict[str, str]:
    """Channels web, mkt and app, and an inactive rule for every channel, web, mkt, web+mkt."""
    await network(api, ("MIL",))
    for code in ("mkt", "app"):
        await channel(api, code)
    made = {}
    for name, channels in (("every", []), ("web", ["web"]), ("mkt", ["mkt"]),
                           ("web+mkt", ["web", "mkt"])):
        made[name] = (await upsert_rule(api, name=name, channels=channels))["rule"]["id"]
    return made


async def test_a_channel_limited_token_reads_the_rules_that_apply_to_its_channels(
        api: Any) -> None:
    await rules_for_channels(api)
    assert (await api(RULES))["routingRules"] == [
        {"name": "every", "channels": []}, {"name": "mkt", "channels": ["mkt"]},
        {"name": "web", "channels": ["web"]}, {"name": "web+mkt", "channels": ["mkt", "web"]}]
    seen = {}
    for scope, code in (("routing:write", "web"), ("orders:read", "mkt"), ("admin", "app")):
        partner = api.as_(await make_token([scope], channels=[code]))
        seen[code] = [(r["name"], r["channels"]) for r in (await partner(RULES))["routingRules"]]
    assert seen == {"web": [("every", []), ("web", ["web"]), ("web+mkt", ["web"])],
                    "mkt": [("every", []), ("mkt", ["mkt"]), ("web+mkt", ["mkt"])],
                    "app": [("every", [])]}, "channels outside its limits are unknown to it"


async def test_a_decision_shows_its_rule_with_the_channels_the_caller_sees(api: Any) -> None:
    ids = await rules_for_channels(api)
    await upsert_rule(api, id=ids["web+mkt"], name="web+mkt", rank=1, active=True,
                      channels=["web", "mkt"])
    await stock(api, ("A", "MIL", 5))
    partner = api.as_(await make_token(["orders:write"], channels=["web"]))
    asked = {"input": order_input(("A", 1))}
    assert (await partner(SIMULATE, asked))["simulateSourcing"]["rule"] == {
        "name": "web+mkt", "channels": ["web"]}
    assert (await api(SIMULATE, asked))["simulateSourcing"]["rule"] == {
        "name": "web+mkt", "channels": ["mkt", "web"]}


@pytest.mark.parametrize("scope", ["routing:write", "admin"])
async def test_a_channel_limited_token_writes_only_rules_within_its_channels(
        api: Any, scope: str) -> None:
    ids = await rules_for_channels(api)
    before = (await api(RULES))["routingRules"]
    partner = api.as_(await make_token([scope], channels=["web"]))
    refused = [
        ("a rule for every channel", upsert_rule(partner, name="n"), ("INVALID_INPUT", ["channels"])),
        ("another channel", upsert_rule(partner, name="n", channels=["web", "mkt"]),
         ("UNKNOWN_CHANNEL", ["channels", "1"])),
        ("an unseen rule", upsert_rule(partner, id=ids["mkt"], name="n", channels=["web"]),
         ("NOT_FOUND", ["id"])),
        ("an unseen rule", delete_rule(partner, ids["mkt"]), ("NOT_FOUND", ["id"])),
        ("the rule for every channel", upsert_rule(partner, id=ids["every"], name="n",
                                                   channels=["web"]), ("INVALID_INPUT", ["id"])),
        ("the rule for every channel", delete_rule(partner, ids["every"]),
         ("INVALID_INPUT", ["id"])),
        ("a rule for another channel too", delete_rule(partner, ids["web+mkt"]),
         ("INVALID_INPUT", ["id"])),
        ("its rule made global", upsert_rule(partner, id=ids["web"], name="web"),
         ("INVALID_INPUT", ["channels"])),
        ("its rule widened", upsert_rule(partner, id=ids["web"], name="web",
                                         channels=["mkt", "web"]),
         ("UNKNOWN_CHANNEL", ["channels", "0"])),
    ]
    for what, doing, expected in refused:
        payload = await doing
        assert errors(payload) == [expected], what
        assert payload["rule"] is None, what
    assert (await api(RULES))["routingRules"] == before

    made = await upsert_rule(partner, name="mine", channels=["web"])
    assert made["userErrors"] == [] and made["rule"]["channels"] == ["web"]
    renamed = await upsert_rule(partner, id=ids["web"], name="web, renamed", channels=["web"])
    assert renamed["userErrors"] == []
    assert (await delete_rule(partner, ids["web"]))["rule"] == {"id": ids["web"]}
    assert [r["name"] for r in (await api(RULES))["routingRules"]] == [
        "every", "mine", "mkt", "web+mkt"]


async def test_a_rule_or_channel_out_of_reach_looks_like_one_that_does_not_exist(
        api: Any) -> None:
    ids = await rules_for_channels(api)
    partner = api.as_(await make_token(["routing:write"], channels=["web"]))
    unseen = (await delete_rule(partner, ids["mkt"]))["userErrors"][0]["message"]
    nowhere = str(uuid.uuid4())
    absent = (await delete_rule(partner, nowhere))["userErrors"][0]["message"]
    assert (unseen, absent) == (f"no routing rule {ids['mkt']}", f"no routing rule {nowhere}")
    messages = [(await upsert_rule(partner, name="n", channels=[code]))["userErrors"][0]["message"]
                for code in ("mkt", "nowhere")]
    assert messages == ["unknown channel 'mkt'", "unknown channel 'nowhere'"]
