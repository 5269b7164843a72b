"""A small Italian network and GraphQL operations shared by the order and sourcing tests.

Destination Bergamo (45.70, 9.67); nodes nearest first: MIL (46 km), TOR (170 km),
ROM (480 km), NAP (655 km).
"""
from __future__ import annotations

from typing import Any

from tests.helpers import channel, node, stock

PLACES = {"MIL": (45.46, 9.19), "TOR": (45.07, 7.69), "ROM": (41.90, 12.50),
          "NAP": (40.85, 14.27)}
BERGAMO = {"line1": "Via Roma 1", "city": "Bergamo", "country": "IT",
           "location": {"latitude": 45.70, "longitude": 9.67}}

ORDER_FIELDS = """
  id number status paymentStatus customerEmail customerRef deliveryMethod
  total { amount currency } channel { code } pickupNode { code }
  lines { id sku quantity unitPrice { amount currency } allocatedQuantity backorderedQuantity
          shippedQuantity cancelledQuantity }
  fulfillments { id status node { code } lines { sku quantity orderLine { id sku } } }
  events { id type status message data } returns { number }
"""
PLACE = (
    "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { "
    + ORDER_FIELDS + " } userErrors { code message field } } }"
)
RULE = """
mutation($input: RoutingRuleInput!) {
  upsertRoutingRule(input: $input) {
    rule { id name rank active channels deliveryMethods effectiveFrom effectiveTo splitPolicy
           maxSplits preferNodeTypes respectCapacity
           weights { distance cost priority backlog processingTime } }
    userErrors { code message field }
  }
}"""
DECISION_FIELDS = """
  rule { id name } allocations { node { code } sku quantity } backordered { sku quantity }
  candidates { node { code } score selected reasons }
"""


async def network(api: Any, codes: tuple[str, ...] = ("MIL", "TOR", "ROM", "NAP"),
                  **per_node: dict[str, Any]) -> None:
    """Nodes at PLACES (warehouses unless per_node says otherwise) and channel `web` (EUR)."""
    for code in codes:
        lat, lon = PLACES[code]
        extra = {"location": {"latitude": lat, "longitude": lon},
                 "address": {"line1": "x", "city": code, "country": "IT"},
                 **per_node.get(code, {})}
        await node(api, code, **extra)
    await channel(api, "web")


def order_input(*lines: tuple[str, int], channel_code: str = "web", price: str = "10.00",
                **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": channel_code, "customerEmail": "ann@example.com",
        "deliveryMethod": "SHIP_TO_ADDRESS", "shippingAddress": BERGAMO,
        "lines": [{"sku": sku, "quantity": qty, "unitPrice": {"amount": price, "currency": "EUR"}}
                  for sku, qty in lines],
    }
    body.update(extra)
    return body


async def place(api: Any, *lines: tuple[str, int], **extra: Any) -> dict[str, Any]:
    """Place an order that must be accepted; returns it."""
    data = await api(PLACE, {"input": order_input(*lines, **extra)})
    assert data["placeOrder"]["userErrors"] == [], data
    return data["placeOrder"]["order"]


async def refused(api: Any, body: dict[str, Any]) -> list[str]:
    data = await api(PLACE, {"input": body})
    assert data["placeOrder"]["order"] is None
    return [e["code"] for e in data["placeOrder"]["userErrors"]]


async def rule(api: Any, **fields: Any) -> dict[str, Any]:
    body = {"name": "r", "rank": 1, **fields}
    data = await api(RULE, {"input": body})
    assert data["upsertRoutingRule"]["userErrors"] == [], data
    return data["upsertRoutingRule"]["rule"]


def sources(order: dict[str, Any]) -> dict[str, dict[str, int]]:
    """node code -> sku -> units, over the order's fulfillments."""
    out: dict[str, dict[str, int]] = {}
    for f in order["fulfillments"]:
        for line in f["lines"]:
            out.setdefault(f["node"]["code"], {})
            out[f["node"]["code"]][line["sku"]] = (out[f["node"]["code"]].get(line["sku"], 0)
                                                   + line["quantity"])
    return out


__all__ = ["network", "order_input", "place", "refused", "rule", "sources", "stock"]
