"""GraphQL building blocks shared by tests: make nodes, channels and stock through the API;
and the stock ledger invariant, checked in the database."""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx

from oms.config import Settings
from oms.models import InventoryPosition, StockLedgerEntry

UPSERT_NODE = """
mutation($input: NodeInput!) {
  upsertNode(input: $input) { node { code type active } userErrors { code message field } }
}"""

UPSERT_CHANNEL = """
mutation($input: ChannelInput!) {
  upsertChannel(input: $input) {
    channel { code buffer allocationPercent nodeTypes excludedNodes { code } }
    userErrors { code message field }
  }
}"""

SYNC = """
mutation($records: [InventoryRecordInput!]!) {
  syncInventory(records: $records) { updated userErrors { code message field } }
}"""

ADJUST = """
mutation($adjustments: [InventoryAdjustmentInput!]!) {
  adjustInventory(adjustments: $adjustments) { updated userErrors { code message field } }
}"""

AVAILABILITY = """
query($channel: String!, $skus: [String!]!, $method: DeliveryMethod, $near: GeoPointInput,
      $limit: Int, $radius: Float) {
  availability(channel: $channel, skus: $skus, deliveryMethod: $method, near: $near,
               limit: $limit, radiusKm: $radius) {
    sku channel available byNode { node { code } available distanceKm }
  }
}"""

INVENTORY = """
query($sku: String!) {
  inventory(sku: $sku) { sku node { code } onHand reserved safetyStock available }
}"""


async def node(api: Any, code: str, type: str = "WAREHOUSE", **extra: Any) -> dict[str, Any]:
    data = await api(UPSERT_NODE, {"input": {"code": code, "name": code, "type": type, **extra}})
    assert data["upsertNode"]["userErrors"] == [], data
    return data["upsertNode"]["node"]


async def channel(api: Any, code: str, type: str = "WEB", currency: str = "EUR",
                  **extra: Any) -> dict[str, Any]:
    data = await api(UPSERT_CHANNEL, {"input": {"code": code, "name": code, "type": type,
                                                "currency": currency, **extra}})
    assert data["upsertChannel"]["userErrors"] == [], data
    return data["upsertChannel"]["channel"]


async def stock(api: Any, *records: tuple[str, str, int] | tuple[str, str, int, int]) -> None:
    payload = [
        {"sku": r[0], "nodeCode": r[1], "onHand": r[2], **({"safetyStock": r[3]} if len(r) > 3 else {})}
        for r in records
    ]
    data = await api(SYNC, {"records": payload})
    assert data["syncInventory"]["userErrors"] == [], data


async def available(api: Any, channel_code: str, sku: str, **args: Any) -> dict[str, Any]:
    data = await api(AVAILABILITY, {"channel": channel_code, "skus": [sku], **args})
    return data["availability"][0]


def by_node(item: dict[str, Any]) -> dict[str, int]:
    return {n["node"]["code"]: n["available"] for n in item["byNode"]}


async def positions(api: Any, sku: str) -> dict[str, dict[str, int]]:
    data = await api(INVENTORY, {"sku": sku})
    return {p["node"]["code"]: p for p in data["inventory"]}


LEDGER_COLUMN = {"ON_HAND": "on_hand", "RESERVED": "reserved", "SCRAPPED": "scrapped",
                 "RETURN_TO_VENDOR": "return_to_vendor"}


async def ledger_mismatches() -> list[str]:
    """Every (sku, node, bucket) whose ledger sum differs from the stored level."""
    sums: dict[tuple[str, int, str], int] = defaultdict(int)
    for sku, node_id, bucket, delta in await StockLedgerEntry.all().values_list(
            "sku", "node_id", "bucket", "delta"):
        sums[(sku, node_id, str(bucket))] += delta
    wrong = []
    for pos in await InventoryPosition.all():
        for bucket, column in LEDGER_COLUMN.items():
            level, total = getattr(pos, column), sums.pop((pos.sku, pos.node_id, bucket), 0)
            if total != level:
                wrong.append(f"{pos.sku}@{pos.node_id} {bucket}: ledger {total} vs {level}")
    wrong += [f"{key}: ledger {value} without a position" for key, value in sums.items() if value]
    return wrong


@contextmanager
def statements(this_task_only: bool = True) -> Iterator[list[str]]:
    """The SQL statements this task sends meanwhile (the app's relay and sweeper, polling in
    tasks of their own, are left out; `this_task_only=False` counts every task, e.g. the
    DataLoaders' batches, when no app runs beside)."""
    seen: list[str] = []
    task = asyncio.current_task()

    class Grab(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if not this_task_only or asyncio.current_task() is task:
                seen.append(str(record.args[0] if record.args else record.msg))

    logger = logging.getLogger("tortoise.db_client")
    handler, level = Grab(logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process app with a runtime of its own (limiter, hub, relay) under `settings`."""
    from oms.app import create_app

    app = create_app(settings, manage_db=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as client:
            yield client
