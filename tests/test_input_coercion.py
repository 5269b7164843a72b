"""Input the schema refuses or normalizes before any resolver sees it (each found by the
fuzzer, tests/test_fuzz.py)."""
from __future__ import annotations

from typing import Any

from oms.models import InventoryPosition, StockLedgerEntry
from tests.helpers import SYNC, node


async def test_a_nul_in_a_string_literal_is_refused_before_anything_runs(api: Any) -> None:
    body = await api.raw('{ node(code: "M\\u0000IL") { code } }')
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "NUL" in error["message"]


async def test_a_nul_anywhere_in_a_variable_is_refused_and_writes_nothing(api: Any) -> None:
    await node(api, "MIL")
    records = [{"sku": "A", "nodeCode": "MIL", "onHand": 1}, {"sku": "B\x00", "nodeCode": "MIL", "onHand": 2}]
    body = await api.raw(SYNC, {"records": records})
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "variable": "records"}
    assert await InventoryPosition.all().count() == 0
    assert await StockLedgerEntry.all().count() == 0
