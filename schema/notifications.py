"""Customer notifications and back-in-stock notices."""
from __future__ import annotations

from datetime import datetime

import strawberry

from oms import models
from oms.enums import NotificationKind, NotificationStatus
from oms.notifications.compose import subject_of
from schema.common import UserError

strawberry.enum(NotificationKind)
strawberry.enum(NotificationStatus, description="RECORDED: no sender configured, recorded only.")


@strawberry.type(description="A message to a customer about their order (or a SKU they asked to hear about).")
class Notification:
    id: strawberry.ID
    kind: NotificationKind
    recipient: str = strawberry.field(description="Email address (or another recipient id for other media).")
    medium: str = strawberry.field(description="EMAIL, or another medium a configured notifier supports.")
    status: NotificationStatus
    subject: str
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, row: models.Notification, order_number: str | None) -> Notification:
        return cls(id=strawberry.ID(str(row.id)), kind=row.kind, recipient=row.recipient,
                   medium=row.medium, status=row.status, subject=subject_of(row, order_number),
                   created_at=row.created_at, sent_at=row.sent_at)


@strawberry.input
class BackInStockInput:
    channel: str
    sku: str
    email: str


@strawberry.type
class BackInStockPayload:
    registered: bool = strawberry.field(
        description="True when the notice is registered (one per channel, SKU and email).")
    user_errors: list[UserError] = strawberry.field(default_factory=list)
