"""Opaque bearer tokens: scopes, channel limits, expiry, revocation."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oms.auth import hash_secret
from oms.models import ApiToken
from tests.conftest import make_token
from tests.helpers import available, channel, node, stock

CREATE = """
mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    secret token { id name scopes channels revoked expiresAt } userErrors { code field }
  }
}"""
REVOKE = "mutation($id: ID!) { revokeApiToken(id: $id) { token { revoked } userErrors { code } } }"


def code_of(body) -> str:
    return body["errors"][0]["extensions"]["code"]


async def shop(api) -> None:
    await node(api, "WH1")
    await channel(api, "web")
    await channel(api, "mkt", "MARKETPLACE")
    await stock(api, ("A", "WH1", 5))


async def test_missing_or_unknown_token_is_unauthenticated(api):
    assert code_of(await api.raw("{ nodes { code } }", token="")) == "UNAUTHENTICATED"
    assert code_of(await api.raw("{ nodes { code } }", token="oms_nope")) == "UNAUTHENTICATED"


async def test_created_secret_is_shown_once_and_only_its_hash_is_stored(api):
    await shop(api)
    data = await api(CREATE, {"input": {"name": "storefront", "scopes": ["availability:read"],
                                        "channels": ["web"]}})
    payload = data["createApiToken"]
    secret = payload["secret"]
    assert payload["userErrors"] == [] and secret.startswith("oms_")
    stored = await ApiToken.get(id=payload["token"]["id"])
    assert stored.secret_hash == hash_secret(secret) and secret not in str(stored.__dict__)
    listed = await api("{ apiTokens { name channels } }")
    assert {"name": "storefront", "channels": ["web"]} in listed["apiTokens"]
    storefront = api.as_(secret)
    assert (await available(storefront, "web", "A"))["available"] == 5


async def test_wrong_scope_is_forbidden(api):
    await shop(api)
    secret = await make_token(["availability:read"])
    body = await api.raw('mutation { adjustInventory(adjustments: []) { updated } }', token=secret)
    assert code_of(body) == "FORBIDDEN"
    body = await api.raw("{ apiTokens { name } }", token=secret)
    assert code_of(body) == "FORBIDDEN"


async def test_channel_limited_token_sees_only_its_channels(api):
    await shop(api)
    partner = api.as_(await make_token(["availability:read"], channels=["mkt"]))
    assert (await available(partner, "mkt", "A"))["available"] == 5
    body = await partner.raw('{ availability(channel: "web", skus: ["A"]) { available } }')
    assert code_of(body) == "UNKNOWN_CHANNEL"
    assert (await partner("{ channels { code } }"))["channels"] == [{"code": "mkt"}]


async def test_expired_token_is_refused(api):
    await shop(api)
    secret = await make_token(["availability:read"])
    await ApiToken.filter(secret_hash=hash_secret(secret)).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert code_of(await api.raw("{ nodes { code } }", token=secret)) == "UNAUTHENTICATED"


async def test_revoked_token_is_refused_and_revoking_twice_is_a_user_error(api):
    await shop(api)
    data = await api(CREATE, {"input": {"name": "tmp", "scopes": ["availability:read"]}})
    token_id, secret = data["createApiToken"]["token"]["id"], data["createApiToken"]["secret"]
    assert (await api("{ nodes { code } }", token=secret))["nodes"] == [{"code": "WH1"}]
    assert (await api(REVOKE, {"id": token_id}))["revokeApiToken"]["token"] == {"revoked": True}
    assert code_of(await api.raw("{ nodes { code } }", token=secret)) == "UNAUTHENTICATED"
    again = await api(REVOKE, {"id": token_id})
    assert again["revokeApiToken"]["userErrors"] == [{"code": "ALREADY_REVOKED"}]


@pytest.mark.parametrize(("spec", "expected"), [
    ({"scopes": ["root"]}, {("INVALID_SCOPE", ("scopes", "0"))}),
    ({"scopes": []}, {("INVALID_SCOPE", ("scopes",))}),
    ({"scopes": ["availability:read"], "channels": ["nope"]}, {("UNKNOWN_CHANNEL", ("channels", "0"))}),
    ({"scopes": ["fulfillment:write"], "nodes": ["NOPE"]}, {("UNKNOWN_NODE", ("nodes", "0"))}),
    ({"scopes": ["orders:read:own"]}, {("INVALID_INPUT", ("customerRef",))}),
    ({"scopes": ["admin"], "expiresAt": "2000-01-01T00:00:00Z"}, {("INVALID_INPUT", ("expiresAt",))}),
])
async def test_bad_token_requests(api, spec, expected):
    data = await api(CREATE, {"input": {"name": "x", **spec}})
    errors = data["createApiToken"]["userErrors"]
    assert {(e["code"], tuple(e["field"])) for e in errors} == expected
    assert data["createApiToken"]["secret"] is None
    assert len((await api("{ apiTokens { id } }"))["apiTokens"]) == 1


async def test_only_admin_creates_tokens(api):
    secret = await make_token(["inventory:write"])
    body = await api.raw(CREATE, {"input": {"name": "x", "scopes": ["admin"]}}, token=secret)
    assert code_of(body) == "FORBIDDEN"


@pytest.mark.parametrize("token_id", ["0", "not-a-uuid", "1.5", "9" * 40])
async def test_revoking_an_id_that_is_no_uuid_is_not_found(api, token_id):
    data = await api(REVOKE, {"id": token_id})
    assert data["revokeApiToken"] == {"token": None, "userErrors": [{"code": "NOT_FOUND"}]}
