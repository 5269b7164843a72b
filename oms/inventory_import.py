"""A snapshot from a CSV file (`oms import-inventory`): the same path as `syncInventory`.

The file is read in chunks; each goes through `receiving.receive_sync` (levels, ledger,
read model, backorders waiting for those SKUs) in the caller's one unit of work, which
is checkpointed after each chunk so memory stays bounded by the chunk, not the file.
Every problem refuses the whole file: after the first one nothing more is written,
the rest of the file is only checked, and the unit of work rolls back. A record
repeated anywhere in the file is a problem, as within one sync.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

from oms import inventory, receiving
from oms.errors import DomainError, ErrorCode, Problem
from oms.inventory import InventoryRecord
from oms.models import Node
from oms.uow import UnitOfWork

COLUMNS = ("sku", "node_code", "on_hand")
OPTIONAL = ("safety_stock",)


class ImportProblems(Exception):
    """What is wrong with a file: its first `keep` problems as (line, problem), and how many."""

    def __init__(self, keep: int = 20) -> None:
        super().__init__("the file has problems")
        self.first: list[tuple[int, Problem]] = []
        self.count = 0
        self.keep = keep

    def add(self, line: int, problem: Problem) -> None:
        self.count += 1
        if len(self.first) < self.keep:
            self.first.append((line, problem))

    def lines(self) -> list[str]:
        """One line per problem kept, then how many more there were."""
        shown = [f"line {line}: {p.code}: {p.message}" for line, p in self.first]
        if self.count > len(self.first):
            shown.append(f"... and {self.count - len(self.first)} more problems")
        return shown


def count_records(path: str | Path) -> int:
    """Lines after the header (the progress bar's total; quoted newlines aside)."""
    lines = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
    return max(0, lines - 1)


class _Reader:
    """The file's records in chunks of (line numbers, records); bad rows become problems."""

    def __init__(self, path: str | Path, size: int, problems: ImportProblems) -> None:
        self.path, self.size, self.problems = path, size, problems
        self.seen: dict[str, set[str]] = {}
        self.codes: dict[str, str] = {}
        "One str per SKU, shared by every node's set of seen SKUs."

    def chunks(self) -> Iterator[tuple[list[int], list[InventoryRecord]]]:
        with open(self.path, newline="") as handle:
            rows = csv.reader(handle)
            at = self._columns(next(rows, []))
            lines: list[int] = []
            records: list[InventoryRecord] = []
            for row in rows:
                record = self._record(rows.line_num, row, at)
                if record is not None:
                    lines.append(rows.line_num)
                    records.append(record)
                if len(records) >= self.size:
                    yield lines, records
                    lines, records = [], []
            if records:
                yield lines, records

    def _columns(self, header: list[str]) -> dict[str, int]:
        at = {name.strip(): i for i, name in enumerate(header)}
        missing = [c for c in COLUMNS if c not in at]
        if missing:
            self.problems.add(1, Problem(ErrorCode.INVALID_INPUT,
                                         f"missing column(s) {', '.join(missing)}: the header "
                                         f"must name {','.join(COLUMNS)}[,{OPTIONAL[0]}]"))
            raise self.problems
        return at

    def _record(self, line: int, row: list[str], at: dict[str, int]) -> InventoryRecord | None:
        if not row:
            return None
        try:
            sku, node = row[at["sku"]], row[at["node_code"]]
            on_hand = _whole(row[at["on_hand"]], "on_hand")
            safety = row[at["safety_stock"]] if "safety_stock" in at else ""
            safety_stock = _whole(safety, "safety_stock") if safety.strip() else None
        except (IndexError, ValueError) as exc:
            message = str(exc) if isinstance(exc, ValueError) else f"{len(row)} fields, too few"
            self.problems.add(line, Problem(ErrorCode.INVALID_INPUT, message))
            return None
        sku = self.codes.setdefault(sku, sku)
        at_node = self.seen.setdefault(node, set())
        if sku in at_node:
            self.problems.add(line, Problem(ErrorCode.DUPLICATE_RECORD,
                                            f"{sku} at {node} appears more than once in the file"))
            return None
        at_node.add(sku)
        return InventoryRecord(sku, node, on_hand, safety_stock)


def _whole(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a whole number") from None


async def import_file(uow: UnitOfWork, path: str | Path, chunk: int = 5000,
                      progress: Callable[[int], object] = lambda n: None,
                      keep: int = 20) -> int:
    """Sync every record of the CSV at `path` in `uow`, all or none; returns how many.
    Raises ImportProblems (the first `keep` of them) when anything is wrong."""
    problems = ImportProblems(keep=keep)
    nodes = {str(code) for code in await Node.all().values_list("code", flat=True)}
    note = Path(path).name
    written = 0
    for lines, records in _Reader(path, chunk, problems).chunks():
        if problems.count:
            _collect(problems, lines, inventory.sync_problems(records, nodes).items)
        else:
            try:
                await receiving.receive_sync(uow, records, note)
                await inventory.checkpoint(uow)
                written += len(records)
            except DomainError as exc:
                _collect(problems, lines, exc.problems)
        progress(len(lines))
    if problems.count:
        raise problems
    return written


def _collect(problems: ImportProblems, lines: list[int], found: list[Problem]) -> None:
    """Add a chunk's problems, their `records.<i>` paths turned into file lines."""
    for problem in found:
        field_path = problem.field or ()
        index = int(field_path[1]) if len(field_path) > 1 and field_path[1].isdigit() else None
        problems.add(lines[index] if index is not None else lines[0], problem)
