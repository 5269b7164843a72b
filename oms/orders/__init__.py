"""Orders: placement, reservations, status, history, backorders, overrides and queries."""
