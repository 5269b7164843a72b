"""A channel- or node-limited admin token is bound by its limits like any other: it sees and
revokes only tokens at most as wide as itself, and does not read the audit log; a refusal
writes nothing, not even an audit entry."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from oms.models import ApiToken, AuditEntry
from tests.conftest import make_token
from tests.helpers import channel, node

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
