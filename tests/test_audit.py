"""The audit trail: every change by hand writes an entry in its own transaction (none for a
refused one), without secrets; only admins read it; tokens show when they were last used."""
from __future__ import annotations

from typing import Any

from tests.conftest import make_token
from tests.helpers import ADJUST, UPSERT_CHANNEL, channel, node, stock

LOG = """query($filter: AuditFilter, $first: Int) {
  auditLog(filter: $filter, first: $first) { id at actor tokenId action target details ip }
}"""
CREATE = """mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { secret token { id } userErrors { code } } }"""


async def test_changes_by_hand_are_audited_in_their_transaction(api: Any) -> None:
    await node(api, "WH")
    await channel(api, "web", buffer=2)
    await stock(api, ("A", "WH", 5))
    made = await api(CREATE, {"input": {"name": "kiosk", "scopes": ["availability:read"]}})
    refused = await api(ADJUST, {"adjustments": [{"sku": "A", "nodeCode": "WH", "delta": -50}]})
    assert refused["adjustInventory"]["userErrors"]
    entries = (await api(LOG))["auditLog"]
    assert [(e["action"], e["target"]) for e in entries] == [
        ("createApiToken", f"token:{made['createApiToken']['token']['id']}"),
        ("syncInventory", None), ("upsertChannel", "channel:web"), ("upsertNode", "node:WH")]
    assert all(e["actor"] == "admin" and e["tokenId"] for e in entries)
    channel_entry = entries[2]
    assert channel_entry["details"]["input"]["buffer"] == 2
    assert entries[1]["details"] == {"records": 1, "nodes": ["WH"], "skus": ["A"], "skuCount": 1}
    assert made["createApiToken"]["secret"] not in str(entries)
    only_channels = (await api(LOG, {"filter": {"action": "upsertChannel"}}))["auditLog"]
    assert [e["target"] for e in only_channels] == ["channel:web"]


async def test_only_admins_read_the_audit_log(api: Any) -> None:
    body = await api.raw(LOG, token=await make_token(["orders:read", "routing:write"]))
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    refused = await api.raw(UPSERT_CHANNEL, {"input": {"code": "x", "name": "x", "type": "WEB",
                                                       "currency": "EUR"}},
                            token=await make_token(["orders:write"]))
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await api(LOG))["auditLog"] == []


async def test_a_token_shows_when_it_was_last_used(api: Any) -> None:
    secret = await make_token(["availability:read"], name="storefront")
    listed = {t["name"]: t for t in (await api("{ apiTokens { name lastUsedAt nodes } }"))["apiTokens"]}
    assert listed["storefront"]["lastUsedAt"] is None
    await api.raw("{ channels { code } }", token=secret)
    listed = {t["name"]: t for t in (await api("{ apiTokens { name lastUsedAt nodes } }"))["apiTokens"]}
    assert listed["storefront"]["lastUsedAt"] is not None and listed["storefront"]["nodes"] == []
