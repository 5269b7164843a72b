"""The README's table of scopes per operation summarizes the authorization matrix and
never contradicts it: every served root field is in it, with the same scopes and limits."""
from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tests.test_authorization_matrix import ANY, MATRIX

pytestmark = pytest.mark.no_database

LIMIT_WORDS = {"channel": "channel", "node": "node", "own orders": "own"}


def readme_table() -> dict[str, tuple[set[str], set[str]]]:
    """field -> (scopes that may call it, limits that apply), from the README's table."""
    text = (ROOT / "README.md").read_text()
    header = "| operations | scopes besides `admin` | limits that apply |"
    rows = text[text.index(header):].split("\n\n", 1)[0].splitlines()[2:]
    table = {}
    for row in rows:
        operations, scopes, limits = (cell.strip() for cell in row.strip("|").split("|"))
        allowed = {ANY} if scopes == "any token" else {"admin", *re.findall(r"`([a-z:]+)`", scopes)}
        applied = {LIMIT_WORDS[word.strip()] for word in limits.split(",") if word.strip()}
        for name in re.findall(r"`(\w+)`", operations):
            table[name] = (allowed, applied)
    return table


def test_the_readme_scope_table_agrees_with_the_matrix() -> None:
    table = readme_table()
    for row in MATRIX:
        assert row.field in table, f"{row.name} is missing from the README's scope table"
        scopes, limits = table[row.field]
        assert scopes == set(row.scopes.split()), row.name
        assert limits == set(row.limits.split()), row.name
    assert set(table) == {row.field for row in MATRIX}
