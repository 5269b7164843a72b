"""SKU attributes: bulk upserts through the API, reads, refusals, and `oms import-skus`."""
from __future__ import annotations

from typing import Any

from tests.shipping_helpers import SKUS
from tests.test_cli import oms

READ = "query($c: [String!]!) { skus(codes: $c) { sku name weightKg shippingClass } }"


async def test_thousands_of_skus_in_one_call_then_updated(api: Any) -> None:
    items = [{"sku": f"S{i:05}", "name": f"item {i}", "weightKg": i / 100} for i in range(3000)]
    done = (await api(SKUS, {"input": items}))["upsertSkus"]
    assert done["userErrors"] == [] and len(done["skus"]) == 3000
    again = (await api(SKUS, {"input": [{"sku": "S00007", "weightKg": 2.5,
                                         "shippingClass": "HAZMAT"}]}))["upsertSkus"]
    assert again["userErrors"] == []
    found = (await api(READ, {"c": ["S00007", "S02999", "NOPE"]}))["skus"]
    assert found == [
        {"sku": "S00007", "name": None, "weightKg": 2.5, "shippingClass": "HAZMAT"},
        {"sku": "S02999", "name": "item 2999", "weightKg": 29.99, "shippingClass": None},
    ]


async def test_bad_attributes_refuse_the_whole_call(api: Any) -> None:
    bad = [{"sku": "OK"}, {"sku": "W", "weightKg": -1}, {"sku": "OK"}, {"sku": "x" * 65}]
    done = (await api(SKUS, {"input": bad}))["upsertSkus"]
    assert done["skus"] == []
    assert [(e["code"], e["field"]) for e in done["userErrors"]] == [
        ("INVALID_INPUT", ["input", "1", "weightKg"]),
        ("DUPLICATE_RECORD", ["input", "2", "sku"]),
        ("INVALID_INPUT", ["input", "3", "sku"]),
    ]
    assert (await api(READ, {"c": ["OK"]}))["skus"] == []


async def test_import_skus_is_all_or_nothing(api: Any, database: Any, tmp_path: Any) -> None:
    good = tmp_path / "skus.csv"
    good.write_text("sku,name,weight_kg,shipping_class\nA,Lamp,4.0,\nB,Gas,0.5,HAZMAT\n")
    done = oms(database, "import-skus", str(good), "--batch", "1")
    assert done.returncode == 0, done.stderr
    assert "upserted 2 SKUs" in done.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,weight_kg\nA,9\nC,heavy\nA,1\n")
    done = oms(database, "import-skus", str(bad))
    assert done.returncode != 0
    assert "line 3: INVALID_INPUT" in done.stderr and "line 4: DUPLICATE_RECORD" in done.stderr
    found = (await api(READ, {"c": ["A", "B", "C"]}))["skus"]
    assert found == [{"sku": "A", "name": "Lamp", "weightKg": 4.0, "shippingClass": None},
                     {"sku": "B", "name": "Gas", "weightKg": 0.5, "shippingClass": "HAZMAT"}]
