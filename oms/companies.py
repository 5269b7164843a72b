"""B2B accounts: companies with a VAT number, payment terms and a credit limit.

A company is visible to a token whose channel limits cover its channels (as a routing
rule is), and to a company-limited token only when it is that token's company.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from oms.auth import Principal
from oms.catalog import CODE_PATTERN
from oms.enums import PaymentTerms
from oms.errors import DomainError, ErrorCode, Problems
from oms.models import Channel, Company
from oms.orders.inputs import Price
from oms.orders.validation import MAX_AMOUNT
from oms.text import check_length, fitting
from oms.token_limits import check_channels_within, sees_company
from oms.uow import UnitOfWork


@dataclass(frozen=True)
class CompanySpec:
    code: str
    name: str
    vat_number: str | None = None
    payment_terms: PaymentTerms = PaymentTerms.PREPAID
    credit_limit: Price | None = None
    channels: list[str] = field(default_factory=list)


async def find_company(viewer: Principal | None, code: str, *path: str) -> Company:
    """The company with this code if `viewer` sees it; NOT_FOUND otherwise."""
    found = await Company.get_or_none(code=code) if fitting([code], Company, "code") else None
    if found is None or not sees_company(viewer, found):
        raise DomainError.of(ErrorCode.NOT_FOUND, f"no company {code!r}", *path)
    return found


async def get_company(viewer: Principal | None, code: str) -> Company | None:
    try:
        return await find_company(viewer, code)
    except DomainError:
        return None


async def list_companies(viewer: Principal | None) -> list[Company]:
    """The companies `viewer` sees, by code."""
    return [c for c in await Company.all().order_by("code") if sees_company(viewer, c)]


async def upsert_company(uow: UnitOfWork, writer: Principal | None, spec: CompanySpec) -> Company:
    """Create or update the company with this code, within the writer's channel limits."""
    company = await Company.get_or_none(code=spec.code) \
        if fitting([spec.code], Company, "code") else None
    if company is not None and not sees_company(writer, company):
        raise DomainError.of(ErrorCode.NOT_FOUND, f"no company {spec.code!r}", "code")
    currency = await _check(spec, writer)
    values: dict[str, Any] = dict(name=spec.name.strip(), vat_number=_vat(spec.vat_number),
                  payment_terms=spec.payment_terms, channels=sorted(set(spec.channels)),
                  credit_limit=spec.credit_limit.amount if spec.credit_limit else None,
                  currency=currency or (company.currency if company else "EUR"))
    if company is None:
        company = await Company.create(code=spec.code, **values)
    else:
        await company.update_from_dict(values).save()
    uow.record("company.changed", {"code": spec.code})
    return company


def _vat(value: str | None) -> str | None:
    return value.strip().upper().replace(" ", "") or None if value is not None else None


async def _check(spec: CompanySpec, writer: Principal | None) -> str | None:
    """Every problem of `spec`; the company's currency (its credit limit's, else its first
    channel's; None: keep it as it is)."""
    problems = Problems()
    if not CODE_PATTERN.match(spec.code):
        problems.add(ErrorCode.INVALID_INPUT, "code: letters, digits, _ . : - (max 64)", "code")
    if writer is not None and writer.company_code not in (None, spec.code):
        problems.add(ErrorCode.NOT_FOUND, f"no company {spec.code!r}", "code")
    if not spec.name.strip():
        problems.add(ErrorCode.INVALID_INPUT, "name must not be empty", "name")
    check_length(problems, spec.name.strip(), Company, "name", "name")
    check_length(problems, _vat(spec.vat_number), Company, "vat_number", "vatNumber")
    await check_channels_within(problems, writer, spec.channels, "a company", "channels")
    currencies = await Channel.filter(code__in=fitting(spec.channels, Channel, "code")) \
        .order_by("code").values_list("currency", flat=True)
    currency = spec.credit_limit.currency if spec.credit_limit else \
        (str(currencies[0]) if currencies else None)
    if spec.credit_limit is not None and not Decimal(0) <= spec.credit_limit.amount <= MAX_AMOUNT:
        problems.add(ErrorCode.INVALID_INPUT, f"creditLimit must be 0..{MAX_AMOUNT}",
                     "creditLimit", "amount")
    if currency is not None and any(str(c) != currency for c in currencies):
        problems.add(ErrorCode.CURRENCY_MISMATCH, f"the company's channels must sell in {currency}",
                     "creditLimit" if spec.credit_limit else "channels")
    problems.raise_if_any()
    return currency
