"""GraphQL building blocks shared by tests: make nodes, channels and stock through the API."""
from __future__ import annotations

from typing import Any

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
