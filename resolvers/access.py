from __future__ import annotations

import strawberry

from oms import audit, auth
from oms.scopes import Scope
from resolvers.base import mutate
from schema.access import (
    ApiToken,
    AuditEntry,
    AuditFilter,
    CreateApiTokenInput,
    CreateApiTokenPayload,
    RevokePayload,
)
from schema.context import Info


@strawberry.type
class AccessQuery:
    @strawberry.field(description="Oldest first. Admin only; a channel- or node-limited admin "
                                  "sees the tokens at most as wide as itself.")
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        who = await info.context.require(Scope.ADMIN)
        return [ApiToken.of(t) for t in await auth.list_tokens(who)]

    @strawberry.field(description="Newest first. Admin tokens without channel or node limits only.")
    async def audit_log(self, info: Info, filter: AuditFilter | None = None,
                        first: int | None = 100) -> list[AuditEntry]:
        await info.context.allowed(audit.check_reader)
        wanted = filter.to_filter() if filter else audit.AuditFilter()
        return [AuditEntry.of(row) for row in await audit.entries(wanted, 100 if first is None
                                                                    else first)]


@strawberry.type
class AccessMutation:
    @strawberry.mutation
    async def create_api_token(self, info: Info, input: CreateApiTokenInput) -> CreateApiTokenPayload:
        spec = input.to_spec()
        out = await mutate(info, (Scope.ADMIN,), lambda uow, who: auth.create_token(uow, who, spec),
                           audit=lambda made: f"token:{made[0].id}")
        if out.value is None:
            return CreateApiTokenPayload(user_errors=out.user_errors)
        token, secret = out.value
        return CreateApiTokenPayload(token=ApiToken.of(token), secret=secret)

    @strawberry.mutation
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> RevokePayload:
        out = await mutate(info, (Scope.ADMIN,), lambda uow, who: auth.revoke_token(uow, who, id),
                           audit=lambda token: f"token:{token.id}")
        return RevokePayload(token=out.map(ApiToken.of), user_errors=out.user_errors)
