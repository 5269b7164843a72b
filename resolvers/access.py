from __future__ import annotations

import strawberry

from oms import auth
from oms.scopes import Scope
from resolvers.base import mutate
from schema.access import ApiToken, CreateApiTokenInput, CreateApiTokenPayload, RevokePayload
from schema.context import Info


@strawberry.type
class AccessQuery:
    @strawberry.field
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        await info.context.require(Scope.ADMIN)
        return [ApiToken.of(t) for t in await auth.list_tokens()]


@strawberry.type
class AccessMutation:
    @strawberry.mutation
    async def create_api_token(self, info: Info, input: CreateApiTokenInput) -> CreateApiTokenPayload:
        out = await mutate(info, (Scope.ADMIN,), lambda uow, _: auth.create_token(uow, input.to_spec()))
        if out.value is None:
            return CreateApiTokenPayload(user_errors=out.user_errors)
        token, secret = out.value
        return CreateApiTokenPayload(token=ApiToken.of(token), secret=secret)

    @strawberry.mutation
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> RevokePayload:
        out = await mutate(info, (Scope.ADMIN,), lambda uow, _: auth.revoke_token(uow, id))
        return RevokePayload(token=out.map(ApiToken.of), user_errors=out.user_errors)
