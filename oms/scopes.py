"""Token scopes, and which scopes may do what: the one place both are written down."""
from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    ADMIN = "admin"
    AVAILABILITY_READ = "availability:read"
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    ORDERS_READ_OWN = "orders:read:own"
    INVENTORY_WRITE = "inventory:write"
    FULFILLMENT_WRITE = "fulfillment:write"
    RETURNS_WRITE = "returns:write"
    ROUTING_WRITE = "routing:write"
    WEBHOOKS_WRITE = "webhooks:write"


S = Scope
READ_AVAILABILITY = (S.AVAILABILITY_READ, S.ORDERS_WRITE, S.ORDERS_READ)
"Availability reads and stock subscriptions."
READ_STOCK = (S.INVENTORY_WRITE, S.FULFILLMENT_WRITE, S.ORDERS_READ)
"Per-node positions (`inventory`), reorder policies, low stock, replenishment, stock alerts."
READ_ORDERS = (S.ORDERS_READ, S.ORDERS_READ_OWN, S.ORDERS_WRITE)
"Orders, and order subscriptions (a customer token sees its own)."
READ_RETURNS = (S.RETURNS_WRITE, *READ_ORDERS)
READ_RULES = (S.ROUTING_WRITE, S.ORDERS_READ, S.ORDERS_WRITE)
READ_DECISIONS = (S.ORDERS_READ, S.ORDERS_WRITE, S.ROUTING_WRITE)
SIMULATE = (S.ORDERS_WRITE, S.ROUTING_WRITE)
REPLAY_SOURCING = (S.ROUTING_WRITE, S.ORDERS_READ, S.ORDERS_WRITE)
"replaySourcing: past orders (of the token's channels) through other rules; no customer token."
REQUEST_RETURNS = (S.RETURNS_WRITE, S.ORDERS_READ_OWN)
READ_METRICS = (S.ORDERS_READ, S.ORDERS_WRITE)
"Order KPIs (`orderMetrics`): not for customer tokens, which see only their own orders."
MANAGE_WEBHOOKS = (S.WEBHOOKS_WRITE,)
"Webhook endpoints, their secrets and delivery logs (read and write alike)."
READ_SKUS = (S.AVAILABILITY_READ, S.ORDERS_READ, S.ORDERS_WRITE, S.INVENTORY_WRITE,
             S.FULFILLMENT_WRITE)
"SKU attributes (name, weight, shipping class)."
QUOTE_SHIPPING = (S.ORDERS_WRITE, S.ROUTING_WRITE)
"shippingQuotes: a dry run of placeOrder, like simulateSourcing."
READ_ABANDONED_CARTS = (S.ORDERS_READ, S.ORDERS_WRITE)
"Expired cart holds with the customer's e-mail: the back office and storefronts, no customer."
READ_SCHEDULES = (S.ORDERS_READ, S.ORDERS_WRITE)
"Recurring orders (`orderSchedules`): the back office and storefronts, no customer token."
MANAGE_SCHEDULES = (S.ORDERS_WRITE,)
"Create, pause, resume and cancel recurring orders: who may place the orders they place."
READ_COMPANIES = (S.ORDERS_READ, S.ORDERS_WRITE)
"B2B accounts (`companies`): the back office, sales reps and a company's own portal token."
