"""The one table: figure, ours, bare Strawberry, raw Starlette, ratio, target, met?

Printed to the terminal and written as markdown and JSON (bench/results/last.md, last.json).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.wrk import WrkResult

RESULTS = Path(__file__).resolve().parent / "results"
HEADER = ("figure", "ours", "bare Strawberry", "raw Starlette", "ratio", "target", "met?")


@dataclass
class Row:
    figure: str
    ours: str
    bare: str = ""
    raw: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None
    values: dict[str, Any] = field(default_factory=dict)
    "The numbers behind the cells, for the JSON file."

    def cells(self) -> tuple[str, ...]:
        met = "" if self.met is None else ("yes" if self.met else "NO")
        return (self.figure, self.ours, self.bare, self.raw, self.ratio, self.target, met)


def http_cell(result: WrkResult | None, unit: str = "req/s") -> str:
    if result is None:
        return ""
    return f"{result.rate:,.0f} {unit}, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"


def http_values(result: WrkResult | None) -> dict[str, Any]:
    return {} if result is None else asdict(result) | {"rate": result.rate}


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def text_table(rows: list[Row]) -> str:
    table = [HEADER, *(row.cells() for row in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in table]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def write(rows: list[Row], meta: dict[str, Any], notes: list[str], directory: Path = RESULTS) -> Path:
    """Write last.md and last.json; the markdown's path."""
    directory.mkdir(parents=True, exist_ok=True)
    header = "\n".join(f"- {key}: {value}" for key, value in meta.items())
    body = "\n".join(f"- {note}" for note in notes)
    md = directory / "last.md"
    md.write_text(f"{header}\n\n{markdown(rows)}\n\nNotes:\n\n{body}\n")
    (directory / "last.json").write_text(json.dumps(
        {"meta": meta, "rows": [asdict(row) for row in rows], "notes": notes}, indent=2, default=str))
    return md
