"""Reading documents as the caller may: those of orders it may read, nothing else."""
from __future__ import annotations

import uuid

from oms.auth import Principal
from oms.models import Document
from oms.orders.queries import visible_orders


async def visible_document(principal: Principal, document_id: str) -> Document | None:
    """The document with this id if its order is one the caller sees (channels, own orders)."""
    try:
        found = await Document.get_or_none(id=uuid.UUID(str(document_id)))
    except ValueError:
        return None
    if found is None or not await visible_orders(principal).filter(id=found.order_id).exists():
        return None
    return found


def url_of(document: Document) -> str:
    """Where the app serves the PDF (a path on the API's own host)."""
    return f"/documents/{document.id}.pdf"
