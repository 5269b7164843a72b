"""P2: `placeOrder` bodies, and the oversell check run against the database afterwards.

Orders have two lines, ship to an address in Italy or Spain, carry an authorized payment of
the exact total and an idempotency key that wrk makes unique per request ("@KEY@"). Half of
them contain one of the hot SKUs, which sell out while the benchmark runs.
"""
from __future__ import annotations

import asyncio
import json
import random
from decimal import Decimal
from typing import Any

import asyncpg

from bench.network import CITIES, Network
from oms.fulfillment.transitions import OPEN

PLACE = ("mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) "
         "{ order { number status } userErrors { code message } } }")
CHANNELS = ["web"] * 7 + ["app"] * 2 + ["marketplace"]
PRICE = Decimal("19.90")


def _order(network: Network, rng: random.Random) -> dict[str, Any]:
    first = rng.choice(network.hot_skus) if rng.random() < 0.5 else rng.choice(network.cold_skus)
    second = rng.choice([s for s in rng.sample(network.cold_skus, 2) if s != first])
    lines = [{"sku": sku, "quantity": rng.randint(1, 2),
              "unitPrice": {"amount": str(PRICE), "currency": "EUR"}} for sku in (first, second)]
    total = sum(PRICE * line["quantity"] for line in lines)
    city, country, lat, lon = rng.choice(CITIES)
    location = {"latitude": round(lat + rng.uniform(-0.1, 0.1), 4),
                "longitude": round(lon + rng.uniform(-0.1, 0.1), 4)}
    return {
        "channel": rng.choice(CHANNELS), "customerEmail": f"c{rng.randrange(10**6)}@example.com",
        "deliveryMethod": "SHIP_TO_ADDRESS", "lines": lines, "idempotencyKey": "@KEY@",
        "shippingAddress": {"line1": "Via Roma 1", "city": city, "country": country,
                            "location": location},
        "payment": {"reference": "psp-@KEY@", "amount": {"amount": str(total), "currency": "EUR"},
                    "authorized": True},
    }


def bodies(network: Network, count: int) -> list[str]:
    rng = random.Random(f"orders-{count}")
    return [json.dumps({"query": PLACE, "variables": {"input": _order(network, rng)}},
                       separators=(",", ":")) for _ in range(count)]


OPEN_FULFILLMENTS = "(" + ", ".join(f"'{status}'" for status in sorted(OPEN)) + ")"
"Fulfillment states still holding stock, as the product defines them."
CHECKS: dict[str, str] = {
    "reserved differs from the ledger's RESERVED deltas": """
        SELECT count(*) FROM inventory_position p LEFT JOIN (
          SELECT sku, node_id, sum(delta) AS total FROM stock_ledger WHERE bucket = 'RESERVED'
          GROUP BY sku, node_id) l ON l.sku = p.sku AND l.node_id = p.node_id
        WHERE p.reserved <> coalesce(l.total, 0)""",
    "on hand below reserved + safety stock (held positions)": """
        SELECT count(*) FROM inventory_position
        WHERE reserved > 0 AND on_hand < reserved + safety_stock""",
    "reserved differs from open fulfillment lines + cart holds": f"""
        SELECT count(*) FROM inventory_position p
        LEFT JOIN (SELECT fl.sku, f.node_id, sum(fl.quantity) AS q FROM fulfillment_line fl
                   JOIN fulfillment f ON f.id = fl.fulfillment_id
                   WHERE f.status IN {OPEN_FULFILLMENTS} GROUP BY fl.sku, f.node_id) o
          ON o.sku = p.sku AND o.node_id = p.node_id
        LEFT JOIN (SELECT rl.sku, rl.node_id, sum(rl.quantity) AS q FROM reservation_line rl
                   JOIN reservation r ON r.id = rl.reservation_id WHERE r.status = 'ACTIVE'
                   GROUP BY rl.sku, rl.node_id) h ON h.sku = p.sku AND h.node_id = p.node_id
        WHERE p.reserved <> coalesce(o.q, 0) + coalesce(h.q, 0)""",
    "order line allocated more than its quantity": """
        SELECT count(*) FROM order_line
        WHERE allocated_quantity > quantity OR allocated_quantity + backordered_quantity > quantity
           OR allocated_quantity < 0""",
    "order line's fulfillment lines exceed its quantity": """
        SELECT count(*) FROM order_line l JOIN (SELECT order_line_id, sum(quantity) AS q
          FROM fulfillment_line GROUP BY order_line_id) f ON f.order_line_id = l.id
        WHERE f.q > l.quantity""",
}


async def _violations(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        return {name: int(await conn.fetchval(sql)) for name, sql in CHECKS.items()}
    finally:
        await conn.close()


def violations(url: str) -> dict[str, int]:
    """Per invariant, how many rows break it (all must be 0)."""
    return asyncio.run(_violations(url))


async def _counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM \"order\") AS orders, "
            "(SELECT coalesce(sum(backordered_quantity), 0) FROM order_line) AS backordered, "
            "(SELECT coalesce(sum(allocated_quantity), 0) FROM order_line) AS allocated")
        return {key: int(value) for key, value in dict(row).items()}
    finally:
        await conn.close()


def counts(url: str) -> dict[str, int]:
    """Orders in the database, units allocated and backordered."""
    return asyncio.run(_counts(url))
