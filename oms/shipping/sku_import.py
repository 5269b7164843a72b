"""SKU attributes from a CSV file (`oms import-skus`): the same path as `upsertSkus`.

Columns `sku,name,weight_kg,shipping_class` (only `sku` required; an empty cell clears the
attribute). Read in chunks in the caller's one unit of work; every problem refuses the whole
file (the rest is only checked), a SKU repeated anywhere in the file included.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

from oms.errors import DomainError, ErrorCode, Problem
from oms.inventory_import import ImportProblems
from oms.shipping.skus import SkuSpec, sku_problems, upsert_skus
from oms.uow import UnitOfWork

Chunk = tuple[list[int], list[SkuSpec]]


def _chunks(path: str | Path, size: int, problems: ImportProblems) -> Iterator[Chunk]:
    seen: set[str] = set()
    with open(path, newline="") as handle:
        rows = csv.DictReader(handle)
        if "sku" not in (rows.fieldnames or []):
            problems.add(1, Problem(ErrorCode.INVALID_INPUT, "missing column sku: the header "
                                    "must name sku[,name,weight_kg,shipping_class]"))
            raise problems
        lines: list[int] = []
        specs: list[SkuSpec] = []
        for row in rows:
            spec = _spec(rows.line_num, row, problems)
            if spec is not None and spec.sku in seen:
                problems.add(rows.line_num, Problem(ErrorCode.DUPLICATE_RECORD,
                                                    f"{spec.sku} appears more than once"))
            elif spec is not None:
                seen.add(spec.sku)
                lines.append(rows.line_num)
                specs.append(spec)
            if len(specs) >= size:
                yield lines, specs
                lines, specs = [], []
        if specs:
            yield lines, specs


def _spec(line: int, row: dict[str, str | None], problems: ImportProblems) -> SkuSpec | None:
    weight = (row.get("weight_kg") or "").strip()
    try:
        weight_kg = float(weight) if weight else None
    except ValueError:
        problems.add(line, Problem(ErrorCode.INVALID_INPUT, f"weight_kg {weight!r} is not a number"))
        return None
    return SkuSpec((row.get("sku") or "").strip(), (row.get("name") or "").strip() or None,
                   weight_kg, (row.get("shipping_class") or "").strip() or None)


async def import_skus(uow: UnitOfWork, path: str | Path, chunk: int = 5000,
                      progress: Callable[[int], object] = lambda n: None) -> int:
    """Upsert every SKU of the CSV at `path` in `uow`, all or none; returns how many.
    Raises ImportProblems when anything is wrong."""
    problems = ImportProblems()
    written = 0
    for lines, specs in _chunks(path, chunk, problems):
        try:
            if problems.count:
                sku_problems(specs).raise_if_any()
            else:
                written += len(await upsert_skus(uow, specs))
        except DomainError as exc:
            for problem in exc.problems:
                at = problem.field or ()
                index = int(at[1]) if len(at) > 1 and at[1].isdigit() else 0
                problems.add(lines[index], problem)
        progress(len(lines))
    if problems.count:
        raise problems
    return written
