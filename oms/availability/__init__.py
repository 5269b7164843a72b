"""What each channel may promise: the rules, the read model that keeps the totals, and reads."""
from __future__ import annotations

from oms.availability.queries import (
    Near,
    NodeAvailable,
    SkuAvailable,
    channel_availability,
    channel_totals,
    expired_holds,
    position_levels,
)
from oms.availability.rules import channel_sees, channel_share, node_available

__all__ = [
    "Near", "NodeAvailable", "SkuAvailable", "channel_availability", "channel_sees",
    "channel_share", "channel_totals", "expired_holds", "node_available", "position_levels",
]
