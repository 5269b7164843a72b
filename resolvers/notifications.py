from __future__ import annotations

import strawberry

from oms.notifications import back_in_stock
from oms.scopes import Scope
from resolvers.base import mutate
from schema.context import Info
from schema.notifications import BackInStockInput, BackInStockPayload


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(description=(
        "A storefront's 'tell me when it is back': one notification when the channel can "
        "promise the SKU again."))
    async def request_back_in_stock_notice(self, info: Info,
                                           input: BackInStockInput) -> BackInStockPayload:
        out = await mutate(info, (Scope.AVAILABILITY_READ,), lambda uow, who:
                           back_in_stock.request_notice(who, input.channel, input.sku, input.email))
        return BackInStockPayload(registered=bool(out.value), user_errors=out.user_errors)
