"""SKU attributes shipping needs (name, weight, shipping class): bulk upserts and reads.

A SKU named here becomes known like one an inventory sync brings; the attributes given
replace the stored ones (an omitted one is cleared), so an upsert states the item whole.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from oms.errors import ErrorCode, Problems
from oms.models import Sku
from oms.shipping.pricing import ItemInfo
from oms.text import check_length, fitting
from oms.uow import UnitOfWork

MAX_SKUS = 10_000
"Most SKUs one upsert takes (the CSV import sends chunks of fewer)."
ATTRIBUTES = ("name", "weight_kg", "shipping_class")


@dataclass(frozen=True)
class SkuSpec:
    sku: str
    name: str | None = None
    weight_kg: float | None = None
    shipping_class: str | None = None


def sku_problems(specs: list[SkuSpec]) -> Problems:
    """Every problem of an upsert at once (paths `input.<i>.<field>`)."""
    problems = Problems()
    if len(specs) > MAX_SKUS:
        problems.add(ErrorCode.INVALID_INPUT, f"at most {MAX_SKUS} SKUs per call", "input")
        return problems
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        if not spec.sku.strip():
            problems.add(ErrorCode.INVALID_INPUT, "sku must not be empty", "input", i, "sku")
        check_length(problems, spec.sku, Sku, "code", "input", i, "sku")
        check_length(problems, spec.name, Sku, "name", "input", i, "name")
        check_length(problems, spec.shipping_class, Sku, "shipping_class",
                     "input", i, "shippingClass")
        weight = spec.weight_kg
        if weight is not None and not (math.isfinite(weight) and weight >= 0):
            problems.add(ErrorCode.INVALID_INPUT, f"weightKg must be >= 0, got {weight}",
                         "input", i, "weightKg")
        if spec.sku in seen:
            problems.add(ErrorCode.DUPLICATE_RECORD, f"{spec.sku} appears more than once",
                         "input", i, "sku")
        seen.add(spec.sku)
    return problems


async def upsert_skus(uow: UnitOfWork, specs: list[SkuSpec]) -> list[Sku]:
    """Create or update every SKU of `specs`, all or none; returns them in input order."""
    sku_problems(specs).raise_if_any()
    existing = {sku.code: sku for sku in await Sku.filter(code__in=[s.sku for s in specs])}
    rows: list[Sku] = []
    new: list[Sku] = []
    for spec in specs:
        row = existing.get(spec.sku)
        if row is None:
            row = Sku(code=spec.sku)
            new.append(row)
        row.name, row.weight_kg, row.shipping_class = (
            spec.name, spec.weight_kg, spec.shipping_class or None)
        rows.append(row)
    if new:
        await Sku.bulk_create(new, batch_size=1000)
    changed = [row for row in rows if row.code in existing]
    if changed:
        await Sku.bulk_update(changed, fields=list(ATTRIBUTES), batch_size=1000)
    uow.record("sku.changed", {"count": len(rows)})
    return rows


async def get_skus(codes: list[str]) -> list[Sku]:
    """The known SKUs among `codes`, in the order asked."""
    found = {sku.code: sku for sku in await Sku.filter(code__in=fitting(codes, Sku, "code"))}
    return [found[code] for code in dict.fromkeys(codes) if code in found]


def item_info(weight_kg: float | None, shipping_class: str | None) -> ItemInfo:
    return ItemInfo(weight_kg or 0.0, shipping_class)
