"""Dependencies point one way: resolvers -> schema -> oms."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_database

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(folder: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / folder).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_domain_never_imports_graphql_layers():
    offenders = {
        path: sorted(names & {"strawberry", "graphql", "schema", "resolvers"})
        for path, names in imported_modules("oms").items()
        if names & {"strawberry", "graphql", "schema", "resolvers"}
    }
    assert offenders == {}


def test_schema_never_imports_resolvers():
    offenders = [path for path, names in imported_modules("schema").items() if "resolvers" in names]
    assert offenders == []


def source_lines(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            yield str(path.relative_to(ROOT)), number, line


def test_row_locks_are_taken_in_one_place():
    """Orders and stock rows are locked only by `oms.locks` (which sorts) and the bulk SQL it
    runs; the outbox relay's and the webhook sender's SKIP LOCKED claims are the only other
    locks, each on a queue."""
    allowed = {"oms/locks.py", "oms/inventory_bulk.py", "oms/events/relay.py",
               "oms/webhooks/claims.py"}
    offenders = [f"{path}:{number}" for path, number, line in source_lines("oms")
                 if ("select_for_update" in line or "FOR UPDATE" in line) and path not in allowed]
    assert offenders == []


def test_stock_rows_are_written_only_by_the_inventory_modules():
    """Every write to `inventory_position` goes through `oms.inventory` (conditional updates,
    in stock order) or the bulk SQL behind it: no other module can change stock another way."""
    writers = {"oms/inventory.py", "oms/inventory_bulk.py"}
    offenders = [
        f"{path}:{number}" for path, number, line in source_lines("oms")
        if path not in writers and (
            ('"inventory_position"' in line and any(verb in line for verb in ("UPDATE", "INSERT", "DELETE")))
            or "InventoryPosition.create" in line or "InventoryPosition.filter" in line and ".update(" in line
            or "InventoryPosition.bulk" in line)]
    assert offenders == []
