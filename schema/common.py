"""Shared value types: money, places, errors, paging."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

import strawberry

from oms.errors import Problem

T = TypeVar("T")


@strawberry.type
class Money:
    amount: Decimal
    currency: str


@strawberry.input
class MoneyInput:
    amount: Decimal
    currency: str


@strawberry.type
class GeoPoint:
    latitude: float
    longitude: float

    @classmethod
    def of(cls, latitude: float | None, longitude: float | None) -> GeoPoint | None:
        if latitude is None or longitude is None:
            return None
        return cls(latitude=latitude, longitude=longitude)


@strawberry.input
class GeoPointInput:
    latitude: float
    longitude: float


@strawberry.type
class Address:
    name: str | None
    line1: str
    line2: str | None
    city: str
    postal_code: str | None
    region: str | None
    country: str
    location: GeoPoint | None

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Address | None:
        if not data:
            return None
        loc = data.get("location") or {}
        return cls(
            name=data.get("name"), line1=data["line1"], line2=data.get("line2"),
            city=data["city"], postal_code=data.get("postal_code"), region=data.get("region"),
            country=data["country"], location=GeoPoint.of(loc.get("latitude"), loc.get("longitude")),
        )


@strawberry.input
class AddressInput:
    name: str | None = None
    line1: str
    line2: str | None = None
    city: str
    postal_code: str | None = None
    region: str | None = None
    country: str = strawberry.field(description="ISO-3166 alpha-2")
    location: GeoPointInput | None = strawberry.field(
        default=None, description="Used for distance-based sourcing; without it the country decides."
    )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name, "line1": self.line1, "line2": self.line2, "city": self.city,
            "postal_code": self.postal_code, "region": self.region,
            "country": self.country.upper(),
        }
        if self.location is not None:
            data["location"] = {"latitude": self.location.latitude,
                                "longitude": self.location.longitude}
        return data


@strawberry.type(description="A refusal the client can act on. `code` is stable and machine-readable.")
class UserError:
    code: str
    message: str
    field: list[str] | None = strawberry.field(
        default=None,
        description='Path to the input field at fault, e.g. ["lines", "0", "quantity"].',
    )

    @classmethod
    def of(cls, problem: Problem) -> UserError:
        return cls(code=str(problem.code), message=problem.message,
                   field=list(problem.field) if problem.field else None)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def scalar_input(cls: T) -> T:
    """Build instances of an input whose fields are all scalars straight from the GraphQL
    value (Strawberry's `from_input` hook). Strawberry's generic conversion recomputes
    every field's name for every value: on a 5,000-record `syncInventory` that was most
    of the request's CPU. graphql-core has already validated and coerced the value."""
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    names: list[tuple[str, str]] = []

    def build(target: type, value: Mapping[str, Any], context: Any) -> Any:
        if not names:
            names.extend((f.python_name, context.config.name_converter.from_field(f))
                         for f in definition.fields)
        return target(**{python: value[graphql] for python, graphql in names if graphql in value})

    definition.from_input = build
    return cls
