"""Versioned routing rules through the API: every change a version by the token that made
it, history oldest first, restores as new versions (of deleted rules too), and decisions
that name the version they used however the rule changed since."""
from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import Api, make_token
from tests.helpers import channel
from tests.order_helpers import network, place, sources, stock

VERSION_FIELDS = """version changedBy changedAt deleted
  rule { id name rank version channels weights { distance priority } }"""
UPSERT = """mutation($input: RoutingRuleInput!) { upsertRoutingRule(input: $input) {
  rule { id name version } userErrors { code field } } }"""
DELETE = """mutation($id: ID!) { deleteRoutingRule(id: $id) {
  rule { id version } userErrors { code field } } }"""
RESTORE = """mutation($id: ID!, $v: Int!) { restoreRoutingRule(id: $id, version: $v) {
  rule { id name rank version } userErrors { code message field } } }"""
ONE = ("query($id: ID!, $v: Int!) { routingRuleVersion(id: $id, version: $v) { "
       + VERSION_FIELDS + " } }")
RULES = "{ routingRules { id name version history { " + VERSION_FIELDS + " } } }"
DECISION = ("query($id: ID!) { sourcingDecision(orderId: $id) { rule { id name version } "
            "ruleVersion { " + VERSION_FIELDS + " } } }")


async def as_token(api: Api, name: str, scopes: list[str], **limits: Any) -> Api:
    return api.as_(await make_token(scopes, name=name, **limits))


async def upsert(api: Api, **fields: Any) -> dict[str, Any]:
    out = (await api(UPSERT, {"input": {"name": "r", "rank": 1, **fields}}))["upsertRoutingRule"]
    assert out["userErrors"] == [], out
    return out["rule"]


async def history(api: Api, rule_id: str) -> list[dict[str, Any]]:
    rules = {r["id"]: r for r in (await api(RULES))["routingRules"]}
    return rules[rule_id]["history"]


async def version(api: Api, rule_id: str, number: int) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (await api(ONE, {"id": rule_id, "v": number}))[
        "routingRuleVersion"]
    return found


async def restore(api: Api, rule_id: str, number: int) -> dict[str, Any]:
    out: dict[str, Any] = (await api(RESTORE, {"id": rule_id, "v": number}))["restoreRoutingRule"]
    return out


async def test_every_change_is_a_version_by_the_token_that_made_it(api: Api) -> None:
    ann = await as_token(api, "ann", ["routing:write"])
    bob = await as_token(api, "bob", ["routing:write"])
    made = await upsert(ann, name="near first", rank=5)
    assert made["version"] == 1
    changed = await upsert(bob, id=made["id"], name="by priority", rank=7,
                           weights={"distance": 0, "priority": 1})
    assert changed["version"] == 2
    refused = await bob(UPSERT, {"input": {"id": made["id"], "name": "bad", "rank": 1,
                                           "maxSplits": 0}})
    assert refused["upsertRoutingRule"]["userErrors"] == [{"code": "INVALID_RULE",
                                                           "field": ["maxSplits"]}]
    saved = await history(api, made["id"])
    assert [(v["version"], v["changedBy"], v["deleted"], v["rule"]["name"], v["rule"]["rank"])
            for v in saved] == [(1, "ann", False, "near first", 5),
                                (2, "bob", False, "by priority", 7)]
    assert [v["rule"]["version"] for v in saved] == [1, 2]
    assert saved[0]["changedAt"] <= saved[1]["changedAt"]
    assert saved[1]["rule"]["weights"] == {"distance": 0.0, "priority": 1.0}

    gone = (await ann(DELETE, {"id": made["id"]}))["deleteRoutingRule"]
    assert gone == {"rule": {"id": made["id"], "version": 3}, "userErrors": []}
    last = await version(api, made["id"], 3)
    assert last is not None
    assert (last["changedBy"], last["deleted"], last["rule"]["name"]) == ("ann", True, "by priority")
    first = await version(api, made["id"], 1)
    assert first is not None and first["rule"]["name"] == "near first"
    assert await version(api, made["id"], 4) is None
    assert await version(api, "not-an-id", 1) is None


async def test_a_restore_makes_an_old_version_current_as_a_new_one(api: Api) -> None:
    made = await upsert(api, name="near first", rank=5)
    await upsert(api, id=made["id"], name="by priority", rank=7)
    carol = await as_token(api, "carol", ["routing:write"])
    back = await restore(carol, made["id"], 1)
    assert back == {"rule": {"id": made["id"], "name": "near first", "rank": 5, "version": 3},
                    "userErrors": []}
    saved = await history(api, made["id"])
    assert [(v["version"], v["changedBy"], v["rule"]["name"]) for v in saved] == [
        (1, "admin", "near first"), (2, "admin", "by priority"), (3, "carol", "near first")]
    rules = (await api(RULES))["routingRules"]
    assert [(r["name"], r["version"]) for r in rules] == [("near first", 3)]


async def test_a_deleted_rule_comes_back_under_its_id_with_its_history(api: Api) -> None:
    made = await upsert(api, name="near first", rank=5)
    await upsert(api, id=made["id"], name="by priority", rank=7)
    assert (await api(DELETE, {"id": made["id"]}))["deleteRoutingRule"]["userErrors"] == []
    assert (await api(RULES))["routingRules"] == []
    back = await restore(api, made["id"], 1)
    assert back["userErrors"] == []
    assert back["rule"] == {"id": made["id"], "name": "near first", "rank": 5, "version": 4}
    saved = await history(api, made["id"])
    assert [(v["version"], v["deleted"], v["rule"]["name"]) for v in saved] == [
        (1, False, "near first"), (2, False, "by priority"), (3, True, "by priority"),
        (4, False, "near first")]
    again = await upsert(api, id=made["id"], name="edited after", rank=5)
    assert again["version"] == 5


async def test_a_restore_is_refused_as_an_upsert_would_be(api: Api) -> None:
    await channel(api, "web")
    await channel(api, "mkt")
    made = await upsert(api, name="every channel", rank=5)
    missing = await restore(api, made["id"], 9)
    assert missing["rule"] is None
    assert [(e["code"], e["field"]) for e in missing["userErrors"]] == [("NOT_FOUND", ["version"])]
    unknown = await restore(api, "0f6d0a4e-0000-4000-8000-000000000000", 1)
    assert [(e["code"], e["field"]) for e in unknown["userErrors"]] == [("NOT_FOUND", ["version"])]
    web = await as_token(api, "web merch", ["routing:write"], channels=["web"])
    wide = await restore(web, made["id"], 1)
    assert [(e["code"], e["field"]) for e in wide["userErrors"]] == [("INVALID_INPUT", ["version"])]
    assert "version 1 (channels)" in wide["userErrors"][0]["message"]
    mkt_rule = await upsert(api, name="mkt only", rank=6, channels=["mkt"])
    assert await version(web, mkt_rule["id"], 1) is None
    hidden = await restore(web, mkt_rule["id"], 1)
    assert [(e["code"], e["field"]) for e in hidden["userErrors"]] == [("NOT_FOUND", ["version"])]
    assert len(await history(api, made["id"])) == 1
    assert len(await history(api, mkt_rule["id"])) == 1


async def test_a_channel_limited_token_reads_only_versions_of_its_channels(api: Api) -> None:
    await channel(api, "web")
    await channel(api, "mkt")
    made = await upsert(api, name="web", rank=5, channels=["web"])
    await upsert(api, id=made["id"], name="web and mkt", rank=5, channels=["web", "mkt"])
    await upsert(api, id=made["id"], name="mkt", rank=5, channels=["mkt"])
    await upsert(api, id=made["id"], name="web again", rank=5, channels=["web"])
    web = await as_token(api, "web reader", ["orders:read"], channels=["web"])
    saved = await history(web, made["id"])
    assert [(v["version"], v["rule"]["channels"]) for v in saved] == [
        (1, ["web"]), (2, ["web"]), (4, ["web"])]
    assert await version(web, made["id"], 3) is None
    assert (await version(web, made["id"], 2) or {})["rule"]["channels"] == ["web"]


async def test_a_decision_names_the_rule_version_it_used(api: Api) -> None:
    await network(api, NAP={"priority": 1}, MIL={"priority": 50})
    await stock(api, ("A", "MIL", 5), ("A", "NAP", 5))
    made = await upsert(api, name="nearest", rank=1)
    first = await place(api, ("A", 1))
    assert sources(first) == {"MIL": {"A": 1}}
    await upsert(api, id=made["id"], name="by priority", rank=1,
                 weights={"distance": 0, "priority": 1})
    second = await place(api, ("A", 1))
    assert sources(second) == {"NAP": {"A": 1}}
    assert (await api(DELETE, {"id": made["id"]}))["deleteRoutingRule"]["userErrors"] == []

    then = (await api(DECISION, {"id": first["id"]}))["sourcingDecision"]
    assert then["rule"] == {"id": made["id"], "name": "nearest", "version": 1}
    used = then["ruleVersion"]
    assert (used["version"], used["deleted"], used["changedBy"]) == (1, False, "admin")
    assert used["rule"]["name"] == "nearest"
    assert used["rule"]["weights"] == {"distance": 1.0, "priority": 0.0}
    later = (await api(DECISION, {"id": second["id"]}))["sourcingDecision"]
    assert later["ruleVersion"]["version"] == 2
    assert later["ruleVersion"]["rule"]["weights"] == {"distance": 0.0, "priority": 1.0}


async def test_the_default_rule_has_no_version(api: Api) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 5))
    order = await place(api, ("A", 1))
    found = (await api(DECISION, {"id": order["id"]}))["sourcingDecision"]
    assert found["rule"] == {"id": "default", "name": "default", "version": 0}
    assert found["ruleVersion"] is None


async def test_reading_versions_and_restoring_need_their_scopes(api: Api) -> None:
    made = await upsert(api, name="r", rank=1)
    reader = await as_token(api, "reader", ["orders:read"])
    assert (await version(reader, made["id"], 1) or {})["version"] == 1
    denied = await reader.raw(RESTORE, {"id": made["id"], "v": 1})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    shopper = await as_token(api, "shopper", ["availability:read"])
    hidden = await shopper.raw(ONE, {"id": made["id"], "v": 1})
    assert hidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert len(await history(api, made["id"])) == 1


async def test_concurrent_edits_of_one_version_never_share_a_number(api: Api) -> None:
    """On PostgreSQL the edits run in parallel transactions: each one that lands is the next
    version, one that read a version already replaced is refused, none fails otherwise."""
    made = await upsert(api, name="r", rank=1)
    edits = [api(UPSERT, {"input": {"id": made["id"], "name": f"edit {i}", "rank": 1}})
             for i in range(4)]
    answers = [out["upsertRoutingRule"] for out in await asyncio.gather(*edits)]
    landed = sorted(a["rule"]["version"] for a in answers if a["rule"])
    refused = [a["userErrors"] for a in answers if not a["rule"]]
    assert landed and landed == list(range(2, 2 + len(landed)))
    assert refused == [[{"code": "INVALID_INPUT", "field": ["id"]}]] * (4 - len(landed))
    saved = await history(api, made["id"])
    assert [v["version"] for v in saved] == list(range(1, 2 + len(landed)))
