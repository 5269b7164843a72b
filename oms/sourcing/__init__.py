"""Distributed order management: which nodes fulfil an order, and why.

The engine is pure (no ORM, no I/O); services load snapshots, call `decide`, and
store `Decision.to_record()`.
"""
from __future__ import annotations

from oms.sourcing.engine import decide, select_rule
from oms.sourcing.model import (
    DEFAULT_RULE,
    Allocation,
    CandidateResult,
    ChannelView,
    Decision,
    Destination,
    NodeSnapshot,
    Rule,
    SourcingRequest,
    Weights,
)

__all__ = [
    "DEFAULT_RULE", "Allocation", "CandidateResult", "ChannelView", "Decision", "Destination",
    "NodeSnapshot", "Rule", "SourcingRequest", "Weights", "decide", "select_rule",
]
