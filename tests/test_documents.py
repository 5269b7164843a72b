"""Documents through the API: a parcel's packing slip and delivery note, the invoice once the
order is fully shipped, a credit note per refund; numbered per series without gaps (also
under 50 concurrent issuers on PostgreSQL), served as PDFs to whoever may read the order."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from oms.config import Settings
from oms.documents.issue import counter_name, issue
from oms.enums import DocumentKind
from oms.models import Document, Order
from oms.uow import unit_of_work
from tests.conftest import make_token
from tests.helpers import channel, node
from tests.journeys import (
    cancel,
    fulfillment_at,
    line_id,
    ok,
    order,
    place_paid,
    receive_return,
    refund_return,
    request_return,
    walk,
)
from tests.order_helpers import network, stock

YEAR = datetime.now(UTC).year
DOCS = "query($id: ID!) { order(id: $id) { documents { id kind number url createdAt } " \
       "fulfillments { id documents { kind number } } } }"
MADRID = {"name": "Ana Ruiz", "line1": "Calle Mayor 5", "city": "Madrid", "postalCode": "28013",
          "country": "ES"}


async def documents(api: Any, order_id: str) -> dict[str, Any]:
    return (await api(DOCS, {"id": order_id}))["order"]


async def pdf_text(api: Any, url: str, token: str | None = None) -> str:
    response = await api.client.get(url, headers={"Authorization": f"Bearer {token or api.token}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


async def shipped_order(api: Any, **extra: Any) -> dict[str, Any]:
    """A x1 and B x2 at 12.20 each, shipped from MIL with BRT TRK-1 (no delivery yet)."""
    await network(api)
    await stock(api, ("A", "MIL", 5), ("B", "MIL", 5))
    placed = await place_paid(api, ("A", 1), ("B", 2), price="12.20", **extra)
    parcel = fulfillment_at(placed, "MIL")["id"]
    await walk(api, parcel, "accept", "pick", "pack")
    packed = await documents(api, placed["id"])
    assert [(d["kind"], d["number"]) for d in packed["documents"]] == [
        ("PACKING_SLIP", f"PS-WEB-{YEAR}-000001")]
    await walk(api, parcel, "ship")
    return placed


async def test_packing_delivery_and_invoice_are_issued_with_the_steps(api: Any) -> None:
    placed = await shipped_order(api)
    found = await documents(api, placed["id"])
    kinds = {d["kind"]: d for d in found["documents"]}
    assert {k: d["number"] for k, d in kinds.items()} == {
        "PACKING_SLIP": f"PS-WEB-{YEAR}-000001", "DELIVERY_NOTE": f"DN-WEB-{YEAR}-000001",
        "INVOICE": f"INV-WEB-{YEAR}-000001"}
    assert found["fulfillments"][0]["documents"] == [
        {"kind": "PACKING_SLIP", "number": f"PS-WEB-{YEAR}-000001"},
        {"kind": "DELIVERY_NOTE", "number": f"DN-WEB-{YEAR}-000001"}]
    assert kinds["INVOICE"]["url"] == f"/documents/{kinds['INVOICE']['id']}.pdf"

    note = await pdf_text(api, kinds["DELIVERY_NOTE"]["url"])
    for text in ("Delivery note (documento di trasporto / albarán)", f"DN-WEB-{YEAR}-000001",
                 placed["number"], "MIL", "Via Roma 1", "Bergamo", "ann@example.com",
                 "Parcels: 1", "Weight: not known", "Carrier: BRT", "Tracking: TRK-1"):
        assert text in note, (text, note)
    assert "SKU\nQuantity\nA\n1\nB\n2\n" in note  # one table cell a line

    invoice = await pdf_text(api, kinds["INVOICE"]["url"])
    # 36.60 VAT-inclusive at the Italian 22%: net 36.60 / 1.22 = 30.00, VAT 6.60.
    for text in ("Invoice", f"INV-WEB-{YEAR}-000001", "Net: 30.00 EUR", "VAT 22%: 6.60 EUR",
                 "Total: 36.60 EUR", "prices include VAT"):
        assert text in invoice, (text, invoice)
    assert "Amount\nA\n1\n12.20\n12.20\nB\n2\n12.20\n24.40\n" in invoice


async def test_the_same_document_always_renders_the_same_bytes(api: Any) -> None:
    placed = await shipped_order(api)
    url = next(d["url"] for d in (await documents(api, placed["id"]))["documents"]
               if d["kind"] == "INVOICE")
    headers = {"Authorization": f"Bearer {api.token}"}
    first, again = [(await api.client.get(url, headers=headers)).content for _ in range(2)]
    assert first == again and first.startswith(b"%PDF")


async def test_a_refund_issues_a_credit_note_at_the_destination_rate(api: Any) -> None:
    placed = await shipped_order(api, shippingAddress=MADRID)
    await walk(api, fulfillment_at(placed, "MIL")["id"], "deliver")
    delivered = await order(api, placed["id"])
    rma = (await ok(await request_return(api, placed["id"], (line_id(delivered, "B"), 1))))["return"]
    await ok(await receive_return(api, rma["id"], "MIL", (line_id(delivered, "B"), 1, "RESTOCK")))
    await ok(await refund_return(api, rma["id"]))

    found = {d["kind"]: d for d in (await documents(api, placed["id"]))["documents"]}
    assert found["CREDIT_NOTE"]["number"] == f"CN-WEB-{YEAR}-000001"
    text = await pdf_text(api, found["CREDIT_NOTE"]["url"])
    # 12.20 at the Spanish 21%: net 12.20 / 1.21 = 10.08, VAT 2.12.
    for wanted in ("Credit note", f"Corrects invoice: INV-WEB-{YEAR}-000001", rma["number"],
                   "B\n1\n12.20\n12.20", "Net: 10.08 EUR", "VAT 21%: 2.12 EUR", "Total: 12.20 EUR",
                   "Ana Ruiz", "28013 Madrid"):
        assert wanted in text, (wanted, text)
    invoice = await pdf_text(api, found["INVOICE"]["url"])  # 36.60 / 1.21 = 30.2479...
    assert "Net: 30.25 EUR\nVAT 21%: 6.35 EUR\nTotal: 36.60 EUR" in invoice


async def test_the_invoice_waits_until_every_parcel_has_shipped(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 1), ("B", "TOR", 1))
    placed = await place_paid(api, ("A", 1), ("B", 1))
    await walk(api, fulfillment_at(placed, "MIL")["id"], "accept", "pick", "pack", "ship")
    kinds = [d["kind"] for d in (await documents(api, placed["id"]))["documents"]]
    assert sorted(kinds) == ["DELIVERY_NOTE", "PACKING_SLIP"]
    await walk(api, fulfillment_at(placed, "TOR")["id"], "accept", "pick", "pack", "ship")
    numbers = sorted(d["number"] for d in (await documents(api, placed["id"]))["documents"])
    assert numbers == [f"DN-WEB-{YEAR}-000001", f"DN-WEB-{YEAR}-000002",
                       f"INV-WEB-{YEAR}-000001", f"PS-WEB-{YEAR}-000001",
                       f"PS-WEB-{YEAR}-000002"]


async def test_cancelling_the_unshipped_rest_issues_the_invoice_of_what_shipped(api: Any) -> None:
    await network(api)
    await stock(api, ("A", "MIL", 1), ("B", "TOR", 1))
    placed = await place_paid(api, ("A", 1), ("B", 1))
    await walk(api, fulfillment_at(placed, "MIL")["id"], "accept", "pick", "pack", "ship")
    assert (await cancel(api, placed["id"], lines=[line_id(placed, "B")]))["userErrors"] == []
    invoice = next(d for d in (await documents(api, placed["id"]))["documents"]
                   if d["kind"] == "INVOICE")
    text = await pdf_text(api, invoice["url"])
    assert "Amount\nA\n1\n10.00\n10.00\nTotals" in text and "Total: 10.00 EUR" in text


async def test_a_collected_pickup_is_invoiced(api: Any) -> None:
    await network(api)
    await node(api, "BGS", type="STORE", canPickup=True,
               address={"line1": "Piazza Vecchia 2", "city": "Bergamo", "country": "IT"})
    await stock(api, ("A", "BGS", 2))
    placed = await place_paid(api, ("A", 2), deliveryMethod="PICKUP_IN_STORE",
                              pickupNodeCode="BGS", shippingAddress=None)
    await walk(api, fulfillment_at(placed, "BGS")["id"], "accept", "pick", "pack", "ready",
               "pickedUp")
    found = {d["kind"]: d for d in (await documents(api, placed["id"]))["documents"]}
    assert sorted(found) == ["INVOICE", "PACKING_SLIP"]
    text = await pdf_text(api, found["INVOICE"]["url"])
    assert "Pickup at BGS" in text and "Piazza Vecchia 2" in text and "VAT 22%: 3.61 EUR" in text


async def test_pdfs_are_served_only_to_who_may_read_the_order(api: Any) -> None:
    placed = await shipped_order(api, customerRef="cust-1")
    await channel(api, "other")
    doc = (await documents(api, placed["id"]))["documents"][0]
    url = doc["url"]
    assert (await api.client.get(url)).status_code == 401
    assert (await api.client.get(url, headers={"Authorization": "Bearer nope"})).status_code == 401
    cases = {
        await make_token(["inventory:write"]): 403,
        await make_token(["orders:read"], channels=["other"]): 404,
        await make_token(["orders:read:own"], customer_ref="cust-2"): 404,
        await make_token(["orders:read:own"], customer_ref="cust-1"): 200,
        await make_token(["orders:read"], channels=["web"]): 200,
    }
    for token, status in cases.items():
        response = await api.client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == status, (status, response.text)
        query = await api.raw("query($id: ID!) { document(id: $id) { number } }",
                              {"id": doc["id"]}, token=token)
        seen = (query.get("data") or {}).get("document")
        assert seen == ({"number": doc["number"]} if status == 200 else None), query
    missing = url.replace(doc["id"], "00000000-0000-0000-0000-000000000000")
    assert (await api.client.get(missing, headers={"Authorization": f"Bearer {api.token}"})
            ).status_code == 404


async def test_a_rolled_back_change_gives_its_number_back(api: Any) -> None:
    placed = await shipped_order(api)
    row = await Order.get(id=placed["id"])
    with pytest.raises(RuntimeError):
        async with unit_of_work() as uow:
            issue(uow, DocumentKind.INVOICE, row, {"lines": []})
            await uow.finish()
            raise RuntimeError("the change failed")
    async with unit_of_work() as uow:
        issue(uow, DocumentKind.INVOICE, row, {"lines": []})
    numbers = await Document.filter(kind=DocumentKind.INVOICE).order_by("number") \
        .values_list("number", flat=True)
    assert numbers == [f"INV-WEB-{YEAR}-000001", f"INV-WEB-{YEAR}-000002"]


async def test_50_concurrent_issuers_get_gap_free_numbers(api: Any, database: Settings) -> None:
    if not database.is_postgres:
        pytest.skip("row-level concurrency needs PostgreSQL (set OMS_TEST_DATABASE_URL)")
    placed = await shipped_order(api)
    row = await Order.get(id=placed["id"])

    async def issuer(i: int) -> None:
        async with unit_of_work() as uow:
            issue(uow, DocumentKind.INVOICE, row, {"lines": []})
            await uow.finish()
            await asyncio.sleep(0.001 * (i % 5))
            if i % 6 == 0:
                raise RuntimeError("rolled back")

    outcomes = await asyncio.gather(*(issuer(i) for i in range(60)), return_exceptions=True)
    failed = sum(isinstance(o, RuntimeError) for o in outcomes)
    assert failed == 10 and all(o is None or isinstance(o, RuntimeError) for o in outcomes)
    numbers = await Document.filter(kind=DocumentKind.INVOICE).values_list("number", flat=True)
    assert sorted(numbers) == [f"INV-WEB-{YEAR}-{n:06d}" for n in range(1, 52)]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler) not installed")
async def test_a_page_renders_to_a_picture_that_is_not_blank(api: Any, tmp_path: Path) -> None:
    placed = await shipped_order(api)
    url = (await documents(api, placed["id"]))["documents"][-1]["url"]
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes((await api.client.get(url, headers={"Authorization": f"Bearer {api.token}"})
                     ).content)
    await asyncio.to_thread(subprocess.run, ["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1",
                                             str(pdf), str(tmp_path / "page")], check=True)
    pixels = _pgm_pixels(next(tmp_path.glob("page*.pgm")).read_bytes())
    dark = sum(1 for value in pixels if value < 128)
    assert 0.001 < dark / len(pixels) < 0.5, "the page rendered blank (or black)"


def _pgm_pixels(data: bytes) -> bytes:
    """The grey values of a binary PGM (P5, 8 bits), as pdftoppm -gray writes it."""
    magic, width, height, maxval, pixels = data.split(maxsplit=4)
    assert magic == b"P5" and maxval == b"255"
    return pixels[:int(width) * int(height)]


@pytest.mark.no_database
def test_every_series_has_a_counter_name_that_fits() -> None:
    long_code = "X" * 64
    names = {counter_name(f"INV-{code}-2026") for code in ("WEB", long_code, long_code[:-1])}
    assert len(names) == 3 and all(len(name) <= 64 for name in names)
    assert counter_name("INV-WEB-2026") == "doc:INV-WEB-2026"
