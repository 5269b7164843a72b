"""A node's backlog: its fulfillments still open (released to it, nothing shipped or handed
over yet, not rejected or cancelled): what sourcing weighs and the API shows."""
from __future__ import annotations

from collections.abc import Iterable

from tortoise.functions import Count

from oms.fulfillment.transitions import OPEN
from oms.models import Fulfillment


async def backlog_by_node(node_ids: Iterable[int]) -> dict[int, int]:
    """Open fulfillments per node id (nodes with none are absent)."""
    wanted = sorted(set(node_ids))
    if not wanted:
        return {}
    rows = await (
        Fulfillment.filter(status__in=sorted(OPEN), node_id__in=wanted)
        .annotate(count=Count("id")).group_by("node_id").values_list("node_id", "count")
    )
    return {int(node_id): int(count) for node_id, count in rows}
