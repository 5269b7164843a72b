"""Text from outside, held against the column that keeps it.

A value longer than its column is refused where it would be written (INVALID_INPUT, naming
the field: PostgreSQL would refuse to store it, SQLite would keep it). Where it is only
looked up it matches nothing, like any unknown code: no row can hold it, and the ORM
refuses to compare a column with a value longer than the column.
"""
from __future__ import annotations

from collections.abc import Iterable

from tortoise.fields import CharField
from tortoise.models import Model

from oms.errors import ErrorCode, Problems


def max_length(model: type[Model], field: str) -> int:
    """The longest text `model.field` keeps."""
    column = model._meta.fields_map[field]
    assert isinstance(column, CharField), f"{model.__name__}.{field} is no CharField"
    return column.max_length


def fits(value: str, model: type[Model], field: str) -> bool:
    return len(value) <= max_length(model, field)


def fitting(values: Iterable[str], model: type[Model], field: str) -> set[str]:
    """The values some row of `model` could hold in `field` (the rest match none)."""
    limit = max_length(model, field)
    return {value for value in values if len(value) <= limit}


def check_length(problems: Problems, value: str | None, model: type[Model], field: str,
                 *path: str | int) -> None:
    """An INVALID_INPUT problem at `path` when `value` is longer than `model.field` keeps."""
    limit = max_length(model, field)
    if value is not None and len(value) > limit:
        problems.add(ErrorCode.INVALID_INPUT, f"at most {limit} characters", *path)


REASON_LENGTH = 400
"""The longest reason a client may give (rejections, cancellations, overrides, returns): it
is kept with a prefix ("cancelled: ...") in columns of 500."""


def reason_problem(reason: str) -> str | None:
    """What is wrong with a reason a client gave, if anything."""
    if not reason.strip():
        return "give the reason"
    if len(reason.strip()) > REASON_LENGTH:
        return f"at most {REASON_LENGTH} characters"
    return None
