"""The graphql-ws reference client (the transport of Apollo's GraphQLWsLink) against a live server.

Needs Node.js and `npm install --prefix tests/js` (CI does it); elsewhere it is skipped when they
are missing, but under CI=true a missing client is a failure.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import ADJUST, channel, node, stock
from tests.servers import live_server

CLIENT = Path(__file__).parent / "js" / "subscribe.mjs"
READY = (CLIENT.parent / "node_modules" / "graphql-ws").is_dir() and shutil.which("node")
if not READY and os.environ.get("CI") != "true":
    pytest.skip("graphql-ws client not installed (npm install --prefix tests/js)",
                allow_module_level=True)

STOCK = "subscription($skus: [String!]) { stockUpdates(channel: \"web\", skus: $skus) { sku available } }"


async def run_client(url: str, token: str, count: int, variables: dict) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        "node", str(CLIENT), url, token, str(count), STOCK, json.dumps(variables),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


@pytest.fixture
async def server(database, admin_token):
    async with live_server(database, admin_token) as running:
        await node(running.api, "WH1")
        await channel(running.api, "web")
        await stock(running.api, ("A", "WH1", 10))
        await running.settle()
        yield running


async def test_reference_client_receives_stock_updates(server):
    client = await run_client(server.ws_url, server.api.token, 1, {"skus": ["A"]})
    await server.wait_for_feeds(1)
    data = await server.api(ADJUST, {"adjustments": [{"sku": "A", "nodeCode": "WH1", "delta": -3}]})
    assert data["adjustInventory"]["userErrors"] == []
    out, err = await asyncio.wait_for(client.communicate(), 30)
    assert client.returncode == 0, err.decode()
    assert json.loads(out.decode().splitlines()[0]) == {
        "data": {"stockUpdates": {"sku": "A", "available": 7}}}


async def test_reference_client_is_refused_with_4403_for_a_bad_token(server):
    client = await run_client(server.ws_url, "oms_not-a-token", 1, {"skus": ["A"]})
    out, err = await asyncio.wait_for(client.communicate(), 30)
    assert json.loads(out.decode().splitlines()[0]) == {"error": "4403"}, err.decode()
