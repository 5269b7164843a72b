"""Batch functions for carriers and services (read-only), named <things>_by_<key>."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from oms.models import Carrier, ShippingService


async def carriers_by_id(ids: Sequence[int]) -> list[Carrier | None]:
    found = {c.id: c for c in await Carrier.filter(id__in=set(ids))}
    return [found.get(i) for i in ids]


async def services_by_code(codes: Sequence[str]) -> list[ShippingService | None]:
    found = {s.code: s for s in await ShippingService.filter(code__in=set(codes))}
    return [found.get(c) for c in codes]


async def services_by_id(ids: Sequence[int]) -> list[ShippingService | None]:
    found = {s.id: s for s in await ShippingService.filter(id__in=set(ids))}
    return [found.get(i) for i in ids]


async def services_by_carrier(ids: Sequence[int]) -> list[list[ShippingService]]:
    by_carrier: dict[int, list[ShippingService]] = defaultdict(list)
    for service in await ShippingService.filter(carrier_id__in=set(ids)).order_by("code"):
        by_carrier[service.carrier_id].append(service)
    return [by_carrier[i] for i in ids]
