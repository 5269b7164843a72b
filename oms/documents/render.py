"""A document's frozen content as a one-or-more page A4 PDF (reportlab, standard fonts).

Deterministic: `invariant` drops reportlab's timestamp and random file id, and the only
input is the stored content, so the same document always gives the same bytes.
"""
from __future__ import annotations

from io import BytesIO
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

MARGIN = 20 * mm
LEADING = 5 * mm
COLUMNS = (0, 95 * mm, 115 * mm, 145 * mm)
"x offsets of SKU, quantity, unit price and amount."


class Page:
    """Writes lines top to bottom, starting a new page when one is full."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.y = A4[1] - MARGIN

    def line(self, text: str, x: float = 0, size: int = 10, bold: bool = False) -> None:
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.canvas.drawString(MARGIN + x, self.y, text)

    def next(self, gap: float = 1.0) -> None:
        self.y -= LEADING * gap
        if self.y < MARGIN:
            self.canvas.showPage()
            self.y = A4[1] - MARGIN

    def row(self, cells: list[str], bold: bool = False) -> None:
        for x, cell in zip(COLUMNS, cells, strict=False):
            self.line(cell, x, bold=bold)
        self.next()

    def block(self, heading: str, lines: list[str]) -> None:
        self.line(heading, bold=True)
        self.next()
        for text in lines:
            self.line(text)
            self.next()
        self.next(0.5)


def render_pdf(content: dict[str, Any]) -> bytes:
    out = BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1, pageCompression=0)
    canvas.setTitle(f"{content['title']} {content['number']}")
    page = Page(canvas)
    _heading(page, content)
    page.block("From", content.get("sender") or [])
    page.block("To", content.get("recipient") or [])
    if "vat" in content:
        _money(page, content)
    else:
        _parcel(page, content)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _heading(page: Page, content: dict[str, Any]) -> None:
    page.line(content["title"], size=16, bold=True)
    page.next(1.6)
    page.line(f"Number: {content['number']}")
    page.next()
    page.line(f"Date: {content['date']}    Order: {content['order']}")
    page.next(1.5)


def _parcel(page: Page, content: dict[str, Any]) -> None:
    page.row(["SKU", "Quantity"], bold=True)
    for item in content["goods"]:
        page.row([item["sku"], str(item["quantity"])])
    page.next(0.5)
    weight = content.get("weight_kg")
    facts = [f"Parcels: {content['parcels']}",
             f"Weight: {weight} kg" if weight is not None else "Weight: not known"]
    if content.get("carrier"):
        facts.append(f"Carrier: {content['carrier']}  Tracking: {content.get('tracking_number')}")
    page.block("Shipment", facts)


def _money(page: Page, content: dict[str, Any]) -> None:
    if content.get("buyer_vat_number"):
        page.line(f"Buyer VAT number: {content['buyer_vat_number']}")
        page.next()
    for label in ("rma", "corrects"):
        if content.get(label):
            page.line(f"{'Return' if label == 'rma' else 'Corrects invoice'}: {content[label]}")
            page.next()
    currency = content["currency"]
    page.row(["SKU", "Qty", "Unit price", "Amount"], bold=True)
    for item in content["lines"]:
        page.row([item["sku"], str(item["quantity"]), item["unit_price"], item["amount"]])
    page.next(0.5)
    vat = content["vat"]
    page.block("Totals (prices include VAT)", [
        f"Net: {vat['net']} {currency}", f"VAT {vat['rate']}%: {vat['vat']} {currency}",
        f"Total: {vat['gross']} {currency}"])
