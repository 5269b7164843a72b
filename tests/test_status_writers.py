"""Every status is written in one place: workflows through their table's `move`/`persist`,
an order's derived status by `oms.orders.status` (set) and `oms.orders.history` (stored).

The test reads the source of `oms`: an assignment to `.status`/`.payment_status`, a
`.update(status=...)`, or a `.save(update_fields=[..."status"...])` anywhere else fails it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_database

OMS = Path(__file__).resolve().parent.parent / "oms"
STATUS_COLUMNS = {"status", "payment_status"}
MAY_ASSIGN = {"workflow.py", "orders/status.py"}
MAY_UPDATE = {"workflow.py", "orders/history.py"}


def status_writes(tree: ast.AST) -> list[tuple[str, int]]:
    """(kind, line) of every write to a status column in `tree`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr in STATUS_COLUMNS for t in targets):
                found.append(("assign", node.lineno))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "update" and any(k.arg in STATUS_COLUMNS for k in node.keywords):
                found.append(("update", node.lineno))
            if node.func.attr == "save" and _saves_status(node):
                found.append(("save", node.lineno))
    return found


def _saves_status(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg == "update_fields" and isinstance(keyword.value, ast.List | ast.Tuple):
            names = {e.value for e in keyword.value.elts if isinstance(e, ast.Constant)}
            if names & STATUS_COLUMNS:
                return True
    return False


def test_only_the_workflows_and_the_order_status_module_write_a_status() -> None:
    offenders = []
    for path in sorted(OMS.rglob("*.py")):
        where = str(path.relative_to(OMS))
        if where.startswith("migrations/"):
            continue
        for kind, line in status_writes(ast.parse(path.read_text())):
            allowed = MAY_ASSIGN if kind == "assign" else MAY_UPDATE
            if where not in allowed:
                offenders.append(f"oms/{where}:{line} ({kind})")
    assert offenders == []


def test_the_walk_finds_each_kind_of_write() -> None:
    source = (
        "row.status = 'X'\n"
        "await Order.filter(id=1).update(status='Y')\n"
        "await order.save(update_fields=['payment_status'])\n"
        "await order.save(update_fields=['reason'])\n"
    )
    assert [kind for kind, _ in status_writes(ast.parse(source))] == ["assign", "update", "save"]
