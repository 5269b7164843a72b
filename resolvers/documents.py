"""Reading one document (its PDF is served at /documents/{id}.pdf by the app itself)."""
from __future__ import annotations

import strawberry

from oms import scopes
from oms.documents.access import visible_document
from schema.context import Info
from schema.documents import Document


@strawberry.type
class DocumentsQuery:
    @strawberry.field
    async def document(self, info: Info, id: strawberry.ID) -> Document | None:
        who = await info.context.require(*scopes.READ_ORDERS)
        found = await visible_document(who, str(id))
        return Document.of(found) if found else None
