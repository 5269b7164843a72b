"""Returns (RMA): request, receive with a disposition per line, refund."""
