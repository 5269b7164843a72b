"""Documents: packing slips, delivery notes, invoices and credit notes (PDFs served by the app)."""
from __future__ import annotations

from datetime import datetime

import strawberry

from oms import models
from oms.documents.access import url_of
from oms.enums import DocumentKind

strawberry.enum(DocumentKind)


@strawberry.type(description=(
    "A PDF the OMS renders. `url` is served by the same app (GET, same bearer token,\n"
    "`application/pdf`); the same document always renders the same content, and an\n"
    "invoice or credit note number is never reused or skipped within its series."))
class Document:
    id: strawberry.ID
    kind: DocumentKind
    number: str = strawberry.field(
        description="e.g. INV-WEB-2026-000042; sequential per series (kind, channel, year).")
    url: str = strawberry.field(description="A path on this server: /documents/{id}.pdf.")
    created_at: datetime

    @classmethod
    def of(cls, row: models.Document) -> Document:
        return cls(id=strawberry.ID(str(row.id)), kind=row.kind, number=row.number,
                   url=url_of(row), created_at=row.created_at)
