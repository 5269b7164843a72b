"""A channel- or node-limited admin token is bound by its limits like any other: it sees and
revokes only tokens at most as wide as itself, does not read the audit log, and changes only
its own nodes (a node limit) and channels (a channel limit), creating neither; a refusal
writes nothing, not even an audit entry."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from oms.models import ApiToken, AuditEntry, Channel, Node
from tests.conftest import make_token
from tests.helpers import UPSERT_CHANNEL, UPSERT_NODE, channel, node

TOKENS = "{ apiTokens { name } }"
REVOKE = """mutation($id: ID!) { revokeApiToken(id: $id) {
  token { name revoked } userErrors { code message field } } }"""
LOG = "{ auditLog(first: 5) { action } }"
KINDS: dict[str, dict[str, Any]] = {
    "everywhere": {}, "web": {"channels": ["web"]}, "web+mkt": {"channels": ["web", "mkt"]},
    "mkt": {"channels": ["mkt"]}, "WH1": {"nodes": ["WH1"]}, "ST1": {"nodes": ["ST1"]},
    "web at WH1": {"channels": ["web"], "nodes": ["WH1"]},
    "web at WH1+ST1": {"channels": ["web"], "nodes": ["WH1", "ST1"]},
}
"Tokens of every width, by name."


async def shop(api: Any) -> None:
    for code in ("WH1", "ST1"):
        await node(api, code)
    for code in ("web", "mkt"):
        await channel(api, code)


async def tokens_of_every_width() -> dict[str, str]:
    """KINDS made as availability:read tokens; their ids by name."""
    for name, limits in KINDS.items():
        await make_token(["availability:read"], name=name, **limits)
    return {t.name: str(t.id) for t in await ApiToken.all()}


async def limited_admin(api: Any, name: str, **limits: list[str]) -> Any:
    return api.as_(await make_token(["admin"], name=name, **limits))


@pytest.mark.parametrize(("limits", "seen"), [
    ({"channels": ["web"]}, ["web", "web at WH1", "web at WH1+ST1"]),
    ({"nodes": ["WH1"]}, ["WH1", "web at WH1"]),
    ({"channels": ["web"], "nodes": ["WH1"]}, ["web at WH1"]),
])
async def test_a_limited_admin_lists_only_tokens_at_most_as_wide_as_itself(
        api: Any, limits: dict[str, list[str]], seen: list[str]) -> None:
    await shop(api)
    await tokens_of_every_width()
    admin = await limited_admin(api, "limited admin", **limits)
    listed = [t["name"] for t in (await admin(TOKENS))["apiTokens"]]
    assert listed == [*seen, "limited admin"]
    assert len((await api(TOKENS))["apiTokens"]) == len(KINDS) + 2, "unlimited: every token"


async def test_a_limited_admin_revokes_only_tokens_it_sees(api: Any) -> None:
    await shop(api)
    ids = await tokens_of_every_width()
    admin = await limited_admin(api, "limited admin", channels=["web"])
    nowhere = str(uuid.uuid4())
    for name in ("everywhere", "web+mkt", "mkt", "WH1"):
        payload = (await admin(REVOKE, {"id": ids[name]}))["revokeApiToken"]
        assert payload["token"] is None, name
        assert payload["userErrors"] == [{"code": "NOT_FOUND", "message": f"no token {ids[name]}",
                                          "field": ["id"]}], name
    absent = (await admin(REVOKE, {"id": nowhere}))["revokeApiToken"]["userErrors"]
    assert absent == [{"code": "NOT_FOUND", "message": f"no token {nowhere}", "field": ["id"]}]
    assert await ApiToken.filter(revoked_at__isnull=False).count() == 0
    assert await AuditEntry.filter(action="revokeApiToken").count() == 0
    revoked = (await admin(REVOKE, {"id": ids["web"]}))["revokeApiToken"]
    assert revoked == {"token": {"name": "web", "revoked": True}, "userErrors": []}


@pytest.mark.parametrize("limits", [{"channels": ["web"]}, {"nodes": ["WH1"]}])
async def test_the_audit_log_is_for_admins_without_limits(
        api: Any, limits: dict[str, list[str]]) -> None:
    await shop(api)
    body = await (await limited_admin(api, "limited admin", **limits)).raw(LOG)
    assert body["data"] is None
    assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
        ("FORBIDDEN", "the audit log is for admin tokens without channel or node limits")]
    assert len((await api(LOG))["auditLog"]) == 4


def node_input(code: str, name: str) -> dict[str, Any]:
    return {"input": {"code": code, "name": name, "type": "WAREHOUSE"}}


def channel_input(code: str, name: str) -> dict[str, Any]:
    return {"input": {"code": code, "name": name, "type": "WEB", "currency": "EUR"}}


async def catalog() -> tuple[list[tuple[str, str]], list[tuple[str, str]], int]:
    """Nodes and channels as (code, name), and the number of audit entries."""
    return (sorted(await Node.all().values_list("code", "name")),
            sorted(await Channel.all().values_list("code", "name")),
            await AuditEntry.all().count())


async def test_a_node_limited_admin_changes_only_its_nodes_and_creates_none(api: Any) -> None:
    await shop(api)
    admin = await limited_admin(api, "store admin", nodes=["WH1"])
    before = await catalog()
    for code, message in (("ST1", "this token may not change node ST1"),
                          ("NEW", "a node-limited token may not create nodes"),
                          ("XX9", "a node-limited token may not create nodes")):
        payload = (await admin(UPSERT_NODE, node_input(code, "renamed")))["upsertNode"]
        assert payload["node"] is None, code
        assert payload["userErrors"] == [
            {"code": "NODE_NOT_ALLOWED", "message": message, "field": ["code"]}], code
    assert await catalog() == before
    changed = (await admin(UPSERT_NODE, node_input("WH1", "renamed")))["upsertNode"]
    assert changed["userErrors"] == [] and changed["node"]["code"] == "WH1"
    channels = (await admin(UPSERT_CHANNEL, channel_input("app", "app")))["upsertChannel"]
    assert channels["userErrors"] == [], "no channel limit: it may create channels"


async def test_a_channel_limited_admin_changes_only_its_channels_and_creates_none(
        api: Any) -> None:
    await shop(api)
    admin = await limited_admin(api, "web admin", channels=["web"])
    before = await catalog()
    for code in ("mkt", "nowhere"):
        payload = (await admin(UPSERT_CHANNEL, channel_input(code, "renamed")))["upsertChannel"]
        assert payload["channel"] is None, code
        assert payload["userErrors"] == [{"code": "UNKNOWN_CHANNEL", "field": ["code"],
                                          "message": f"unknown channel {code!r}"}], code
    assert await catalog() == before
    changed = (await admin(UPSERT_CHANNEL, channel_input("web", "renamed")))["upsertChannel"]
    assert changed["userErrors"] == [] and changed["channel"]["code"] == "web"
    for code in ("ST1", "NEW"):
        nodes = (await admin(UPSERT_NODE, node_input(code, "renamed")))["upsertNode"]
        assert nodes["userErrors"] == [], f"{code}: no node limit, it may change and create nodes"
