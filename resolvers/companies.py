"""B2B accounts: companies, and payments recorded for orders on account."""
from __future__ import annotations

import dataclasses
import json
from typing import Any, cast

import strawberry

from oms import companies, credit, scopes
from oms.orders.inputs import Price
from oms.orders.repeat import reorder
from oms.scopes import Scope
from resolvers.base import mutate
from schema.common import MoneyInput
from schema.companies import Company, CompanyInput, CompanyPayload
from schema.context import Info
from schema.orders import Order, OrderPayload


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    """Arguments as the audit log keeps them (amounts as text)."""
    return cast(dict[str, Any], json.loads(json.dumps(details, default=_text)))


def _text(value: object) -> object:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) \
        and not isinstance(value, type) else str(value)


@strawberry.type
class CompaniesQuery:
    @strawberry.field(description="By code; a channel-limited token sees the companies buying "
                                  "through its channels only, a company's token its own.")
    async def companies(self, info: Info) -> list[Company]:
        who = await info.context.require(*scopes.READ_COMPANIES)
        return [Company.of(c) for c in await companies.list_companies(who)]

    @strawberry.field
    async def company(self, info: Info, code: str) -> Company | None:
        who = await info.context.require(*scopes.READ_COMPANIES)
        found = await companies.get_company(who, code)
        return Company.of(found) if found else None


@strawberry.type
class CompaniesMutation:
    @strawberry.mutation
    async def upsert_company(self, info: Info, input: CompanyInput) -> CompanyPayload:
        spec = input.to_spec()
        out = await mutate(info, (Scope.ADMIN,),
                           lambda uow, who: companies.upsert_company(uow, who, spec),
                           audit=lambda made: f"company:{made.code}",
                           audit_details=lambda: _plain({"input": spec}))
        return CompanyPayload(company=out.map(Company.of), user_errors=out.user_errors)

    @strawberry.mutation(description="Place a new order with the same lines, channel, customer "
                                     "and delivery as an earlier one.")
    async def reorder(self, info: Info, order_id: strawberry.ID,
                      idempotency_key: str | None = None) -> OrderPayload:
        out = await mutate(info, (Scope.ORDERS_WRITE,),
                           lambda uow, who: reorder(uow, who, str(order_id), idempotency_key))
        return OrderPayload(order=out.map(Order.of), user_errors=out.user_errors)

    @strawberry.mutation(description="Record that an order on account was paid (B2B payment "
                                     "terms).")
    async def record_payment(self, info: Info, order_id: strawberry.ID, amount: MoneyInput,
                             reference: str) -> OrderPayload:
        paid = Price(amount.amount, amount.currency.upper())
        out = await mutate(info, (Scope.ORDERS_WRITE,),
                           lambda uow, who: credit.record_payment(uow, who, str(order_id), paid,
                                                                  reference),
                           audit=lambda order: f"order:{order.number}",
                           audit_details=lambda: _plain({"orderId": order_id, "amount": paid,
                                                         "reference": reference}))
        return OrderPayload(order=out.map(Order.of), user_errors=out.user_errors)
