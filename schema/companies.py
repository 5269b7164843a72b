"""B2B accounts: the company, its input and payload."""
from __future__ import annotations

import strawberry

from oms import models
from oms.companies import CompanySpec
from oms.enums import PaymentTerms
from oms.orders.inputs import Price
from schema.common import Money, MoneyInput, UserError


@strawberry.type
class Company:
    code: str
    name: str
    vat_number: str | None
    payment_terms: PaymentTerms
    credit_limit: Money | None = strawberry.field(
        description="Unpaid order totals may not exceed this; null = no limit.")
    credit_used: Money = strawberry.field(description="Unpaid order totals now.")
    channels: list[str] = strawberry.field(description="Channels this company buys through.")

    @classmethod
    def of(cls, row: models.Company) -> Company:
        limit = None if row.credit_limit is None else Money(amount=row.credit_limit,
                                                            currency=row.currency)
        return cls(code=row.code, name=row.name, vat_number=row.vat_number,
                   payment_terms=row.payment_terms, credit_limit=limit,
                   credit_used=Money(amount=row.credit_used, currency=row.currency),
                   channels=list(row.channels))


@strawberry.input
class CompanyInput:
    code: str
    name: str
    vat_number: str | None = None
    payment_terms: PaymentTerms | None = PaymentTerms.PREPAID
    credit_limit: MoneyInput | None = None
    channels: list[str] | None = strawberry.field(default_factory=list)

    def to_spec(self) -> CompanySpec:
        limit = self.credit_limit
        return CompanySpec(
            code=self.code, name=self.name, vat_number=self.vat_number,
            payment_terms=self.payment_terms or PaymentTerms.PREPAID,
            credit_limit=Price(limit.amount, limit.currency.upper()) if limit else None,
            channels=list(self.channels or []))


@strawberry.type
class CompanyPayload:
    company: Company | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
