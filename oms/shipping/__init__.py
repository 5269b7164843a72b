"""Shipping: SKU attributes, carriers and rate tables, quotes, and what an order is charged."""
