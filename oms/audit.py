"""The audit trail: who changed configuration, stock, routing, tokens or an order's path by
hand, and how. An entry is written in the transaction of the change it describes, so a
change that rolled back leaves none."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oms.auth import Principal
from oms.errors import AccessDenied, ErrorCode
from oms.models import AuditEntry
from oms.scopes import Scope
from oms.text import fits
from oms.uow import UnitOfWork

SECRET_WORDS = ("secret", "password", "authorization")
"Arguments whose name contains one of these are never written down."
MAX_ITEMS = 100
"Longer lists (a 5,000-record sync) are kept as their first items and a count."
MAX_PAGE = 250


def without_secrets(value: Any) -> Any:
    """`value` with secret-looking keys removed and long lists cut short."""
    if isinstance(value, dict):
        return {k: without_secrets(v) for k, v in value.items()
                if not any(word in k.lower() for word in SECRET_WORDS)}
    if isinstance(value, list):
        kept = [without_secrets(v) for v in value[:MAX_ITEMS]]
        return kept + [f"... {len(value) - MAX_ITEMS} more"] if len(value) > MAX_ITEMS else kept
    return value


async def record(uow: UnitOfWork, principal: Principal, action: str, target: str | None,
                 arguments: dict[str, Any], ip: str | None) -> None:
    """Write the entry of a change made in `uow` (inserted with its commit)."""
    uow.stage(AuditEntry(actor=principal.name, token_id=principal.token_id, action=action,
                         target=target, details=without_secrets(arguments), ip=ip))


def check_reader(principal: Principal) -> None:
    """FORBIDDEN unless an admin token without channel or node limits: the log tells of
    every channel, node and token, and a token's limits bind it everywhere."""
    principal.require(Scope.ADMIN)
    if principal.channels or principal.nodes:
        raise AccessDenied(ErrorCode.FORBIDDEN,
                           "the audit log is for admin tokens without channel or node limits")


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    target: str | None = None
    after: datetime | None = None
    before: datetime | None = None


async def entries(wanted: AuditFilter, first: int) -> list[AuditEntry]:
    """Newest first, at most `first` (up to MAX_PAGE)."""
    query = AuditEntry.all()
    for name in ("actor", "action", "target"):
        value = getattr(wanted, name)
        if value is not None and not fits(value, AuditEntry, name):
            return []
        if value is not None:
            query = query.filter(**{name: value})
    if wanted.after is not None:
        query = query.filter(at__gt=wanted.after)
    if wanted.before is not None:
        query = query.filter(at__lt=wanted.before)
    return await query.order_by("-at", "-id").limit(max(0, min(first, MAX_PAGE)))
