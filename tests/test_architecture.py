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
