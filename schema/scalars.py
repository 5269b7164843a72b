"""The scalars whose input coercion is ours (Strawberry's serialize them the same way).

- `DateTime`: ISO-8601, always made aware and in UTC; a time without an offset is UTC (as
  the database takes it). Strawberry's kept naive times, which then failed any comparison
  with an aware one; one whose UTC time falls outside years 1-9999 is refused.
- `Decimal`: a finite number. Strawberry's took "NaN", "sNaN" and "Infinity", which no
  amount can be and which raise on comparison.
"""
from __future__ import annotations

import datetime as dt
import decimal

import dateutil.parser
from strawberry.schema.types.base_scalars import isoformat, wrap_parser
from strawberry.types.scalar import ScalarDefinition


def utc_datetime(value: str) -> dt.datetime:
    parsed = dateutil.parser.isoparse(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("out of range in UTC") from None


def finite_decimal(value: str) -> decimal.Decimal:
    number = decimal.Decimal(value)
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return number


DateTime = ScalarDefinition(
    name="DateTime",
    description="Date with time (ISO-8601); without an offset, UTC",
    specified_by_url=None,
    serialize=isoformat,
    parse_value=wrap_parser(utc_datetime, "DateTime", exceptions=(ValueError, OverflowError)),
    parse_literal=None,
    origin=dt.datetime,
)
Decimal = ScalarDefinition(
    name="Decimal",
    description="Decimal (fixed-point)",
    specified_by_url=None,
    serialize=str,
    parse_value=wrap_parser(finite_decimal, "Decimal", exceptions=(ValueError, decimal.DecimalException),
                            accept_non_string=True),
    parse_literal=None,
    origin=decimal.Decimal,
)
OVERRIDES: dict[object, ScalarDefinition] = {dt.datetime: DateTime, decimal.Decimal: Decimal}
