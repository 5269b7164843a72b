"""Input the schema refuses or normalizes before any resolver sees it (each found by the
fuzzer, tests/test_fuzz.py)."""
from __future__ import annotations

from typing import Any

import pytest

from oms.models import InventoryPosition, StockLedgerEntry
from tests.helpers import SYNC, node
from tests.order_helpers import PLACE, network, order_input


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


TOKEN = """
mutation($expires: DateTime) {
  createApiToken(input: {name: "t", scopes: ["admin"], expiresAt: $expires}) {
    token { expiresAt } userErrors { code field }
  }
}"""
AUDIT_AFTER = """
query($after: DateTime) { auditLog(filter: {after: $after}) { action } }"""


async def test_a_time_without_an_offset_is_utc(api: Any) -> None:
    data = await api(TOKEN, {"expires": "2999-01-01T10:00:00"})
    assert data["createApiToken"] == {"token": {"expiresAt": "2999-01-01T10:00:00+00:00"},
                                      "userErrors": []}
    data = await api(TOKEN, {"expires": "2999-01-01T12:00:00+02:00"})
    assert data["createApiToken"]["token"] == {"expiresAt": "2999-01-01T10:00:00+00:00"}
    past = await api(TOKEN, {"expires": "2000-01-01T00:00:00"})
    assert past["createApiToken"]["userErrors"] == [{"code": "INVALID_INPUT", "field": ["expiresAt"]}]


async def test_a_time_beyond_the_calendar_in_utc_is_refused_as_input(api: Any) -> None:
    for late in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"):
        for query in (TOKEN, AUDIT_AFTER):
            body = await api.raw(query, {"expires": late, "after": late})
            [error] = body["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    literal = await api.raw('{ auditLog(filter: {after: "9999-12-31T23:59:59-14:00"}) { action } }')
    assert literal["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity"])
async def test_an_amount_that_is_no_finite_number_is_refused_as_input(api: Any, amount: str) -> None:
    await network(api)
    body = await api.raw(PLACE, {"input": order_input(("A", 1), price=amount)})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "Decimal" in error["message"]
    line = f'{{sku: "A", quantity: 1, unitPrice: {{amount: "{amount}", currency: "EUR"}}}}'
    literal = await api.raw('{ simulateSourcing(input: {channel: "web", customerEmail: "a@b.c", '
                            f"deliveryMethod: SHIP_TO_ADDRESS, lines: [{line}]}}) "
                            "{ backordered { sku } } }")
    assert literal["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
