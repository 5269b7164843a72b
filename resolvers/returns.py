"""Returns (RMA): read one, request, receive, refund."""
from __future__ import annotations

import strawberry

from oms import scopes
from oms.errors import DomainError
from oms.returns import closing, service
from oms.scopes import Scope
from resolvers.base import Outcome, mutate
from schema.context import Info
from schema.returns import ReceiveReturnInput, RequestReturnInput, Return, ReturnPayload


def _payload(out: Outcome) -> ReturnPayload:
    return ReturnPayload(return_=out.map(Return.of), user_errors=out.user_errors)


@strawberry.type
class ReturnsQuery:
    @strawberry.field(name="return")
    async def return_(self, info: Info, id: strawberry.ID) -> Return | None:
        who = await info.context.require(*scopes.READ_RETURNS)
        try:
            found, _ = await service.find_return(who, str(id), lock=False)
            return Return.of(found)
        except DomainError:
            return None


@strawberry.type
class ReturnsMutation:
    @strawberry.mutation(description="Open a return for delivered units; a customer token may "
                                     "return its own orders.")
    async def request_return(self, info: Info, input: RequestReturnInput) -> ReturnPayload:
        spec = input.to_spec()
        return _payload(await mutate(info, scopes.REQUEST_RETURNS,
                                     lambda uow, who: service.request_return(uow, who, spec)))

    @strawberry.mutation
    async def receive_return(self, info: Info, input: ReceiveReturnInput) -> ReturnPayload:
        spec = input.to_spec()
        return _payload(await mutate(info, (Scope.RETURNS_WRITE,),
                                     lambda uow, who: service.receive_return(uow, who, spec)))

    @strawberry.mutation
    async def refund_return(self, info: Info, return_id: strawberry.ID) -> ReturnPayload:
        return _payload(await mutate(info, (Scope.RETURNS_WRITE,),
                                     lambda uow, who: service.refund_return(uow, who,
                                                                            str(return_id))))

    @strawberry.mutation(description="Refuse a requested return (e.g. outside the return window, "
                                     "item not eligible).")
    async def reject_return(self, info: Info, return_id: strawberry.ID, reason: str) -> ReturnPayload:
        return _payload(await mutate(info, (Scope.RETURNS_WRITE,),
                                     lambda uow, who: closing.reject_return(uow, who, str(return_id),
                                                                            reason)))

    @strawberry.mutation(description="The customer withdraws a return not yet received.")
    async def cancel_return(self, info: Info, return_id: strawberry.ID) -> ReturnPayload:
        return _payload(await mutate(info, scopes.REQUEST_RETURNS,
                                     lambda uow, who: closing.cancel_return(uow, who,
                                                                            str(return_id))))
