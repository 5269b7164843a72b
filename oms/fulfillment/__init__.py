"""Fulfillment: the work each node does on an order, from acceptance to hand-over."""
