"""Pure bookkeeping between engine allocations (per SKU) and order lines (per position)."""
from __future__ import annotations

from collections.abc import Sequence

from oms.sourcing import Allocation

Share = tuple[int, str, int]
"(index of the line, node code, quantity)"


def assign(wanted: Sequence[tuple[str, int]], allocations: Sequence[Allocation]) -> list[Share]:
    """Spread each SKU's allocations over the lines wanting it, first line first.

    `wanted` is (sku, units still to allocate) per line; lines repeating a SKU are
    served in order, so a line is filled before the next one gets anything.
    """
    open_units = [quantity for _, quantity in wanted]
    shares: list[Share] = []
    for allocation in allocations:
        left = allocation.quantity
        for index, (sku, _) in enumerate(wanted):
            if left == 0:
                break
            if sku != allocation.sku or open_units[index] == 0:
                continue
            take = min(left, open_units[index])
            open_units[index] -= take
            left -= take
            shares.append((index, allocation.node_code, take))
    return shares


def by_node(shares: Sequence[Share]) -> dict[str, list[tuple[int, int]]]:
    """Shares grouped per node code, in first-seen order: node -> [(line index, quantity)]."""
    grouped: dict[str, list[tuple[int, int]]] = {}
    for index, node_code, quantity in shares:
        grouped.setdefault(node_code, []).append((index, quantity))
    return grouped
