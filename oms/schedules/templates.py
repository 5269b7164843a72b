"""What a run places, stored as plain JSON: an `OrderSpec` without its cart hold and key.

Stored camelCase, as clients write placeOrder's input (it is what `OrderSchedule.template`
shows). Fields are read from `OrderSpec` itself, so whatever placement learns to take
(a field added to `OrderSpec`) is stored and passed on with no change here.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from oms.enums import DeliveryMethod
from oms.orders.inputs import LineSpec, OrderSpec, PaymentSpec, Price

PER_RUN = ("reservation_id", "idempotency_key")
ADDRESS_PARTS = ("name", "line1", "line2", "city", "postal_code", "region", "country")
"An order's stored address (`Order.shipping_address`): every part, unset ones as null."
"Not part of a template: a hold is consumed once, and each run's key is derived."


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {camel(f.name): _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):  # the address: as placeOrder takes it, unset parts left out
        return {camel(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


def to_template(spec: OrderSpec) -> dict[str, Any]:
    """`spec` as JSON, without the per-run fields and without unset ones."""
    return {camel(f.name): _plain(getattr(spec, f.name)) for f in dataclasses.fields(spec)
            if f.name not in PER_RUN and getattr(spec, f.name) is not None}


def _price(data: dict[str, Any]) -> Price:
    return Price(Decimal(data["amount"]), data["currency"])


def for_run(template: dict[str, Any], schedule_id: str, run_at: datetime) -> OrderSpec:
    """The order of the run at `run_at`: the template, its idempotency key derived from the
    schedule and the run's date, the payment reference with the run's date appended."""
    day = run_at.date().isoformat()
    known = {camel(f.name): f.name for f in dataclasses.fields(OrderSpec)}
    values = {known[key]: value for key, value in template.items() if key in known}
    values["delivery_method"] = DeliveryMethod(template["deliveryMethod"])
    address = template.get("shippingAddress")
    values["shipping_address"] = _address(address) if address else None
    values["lines"] = [LineSpec(line["sku"], line["quantity"], _price(line["unitPrice"]))
                       for line in template["lines"]]
    pay = template.get("payment")
    values["payment"] = PaymentSpec(f"{pay['reference']}-{day}", _price(pay["amount"]),
                                    pay.get("authorized", True)) if pay else None
    values["idempotency_key"] = run_key(schedule_id, run_at)
    return OrderSpec(**values)


def _address(data: dict[str, Any]) -> dict[str, Any]:
    stored = {part: data.get(camel(part)) for part in ADDRESS_PARTS}
    if data.get("location") is not None:
        stored["location"] = dict(data["location"])
    return stored


def run_key(schedule_id: str, run_at: datetime) -> str:
    """The idempotency key of a run's order: a run retried after a crash finds its order."""
    return f"schedule:{schedule_id}:{run_at.date().isoformat()}"
