"""A new order's rows in one statement on PostgreSQL: the hot path of every placement.

The order, its lines, fulfillments and their lines, the sourcing decision, the payment
authorization and the history events go in as one `WITH ... INSERT` (foreign keys are
checked at the end of the statement, when the order row exists), each table's rows as
typed arrays through `unnest`, so the SQL text never changes and stays prepared.
Values are converted by the models' own fields, exactly as the ORM would store them.
Elsewhere (SQLite) the caller inserts table by table with the ORM.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise import connections
from tortoise.models import Model

from oms.models import (
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderLine,
    PaymentTransaction,
    SourcingDecisionRecord,
)

Columns = tuple[tuple[str, str], ...]
"(column, PostgreSQL type) per inserted column."

TABLES: tuple[tuple[type[Model], Columns], ...] = (
    (Order, (("id", "uuid"), ("number", "text"), ("channel_id", "int"), ("status", "text"),
             ("payment_status", "text"), ("customer_email", "text"), ("customer_ref", "text"),
             ("delivery_method", "text"), ("shipping_address", "jsonb"), ("pickup_node_id", "int"),
             ("currency", "text"), ("total", "numeric"), ("shipping_service_code", "text"),
             ("shipping_total", "numeric"), ("payment_reference", "text"),
             ("idempotency_key", "text"), ("idempotency_fingerprint", "text"), ("rule_id", "uuid"),
             ("company_id", "int"), ("purchase_order_number", "text"), ("on_account", "bool"),
             ("placed_by", "text"), ("created_at", "timestamptz"), ("updated_at", "timestamptz"))),
    (OrderLine, (("id", "uuid"), ("order_id", "uuid"), ("position", "int"), ("sku", "text"),
                 ("quantity", "int"), ("unit_price", "numeric"), ("allocated_quantity", "int"),
                 ("backordered_quantity", "int"), ("shipped_quantity", "int"),
                 ("delivered_quantity", "int"), ("cancelled_quantity", "int"),
                 ("returned_quantity", "int"))),
    (Fulfillment, (("id", "uuid"), ("order_id", "uuid"), ("node_id", "int"), ("status", "text"),
                   ("carrier", "text"), ("tracking_number", "text"), ("reason", "text"),
                   ("shipping_service_code", "text"), ("shipping_cost", "numeric"),
                   ("created_at", "timestamptz"), ("updated_at", "timestamptz"))),
    (FulfillmentLine, (("fulfillment_id", "uuid"), ("order_line_id", "uuid"), ("sku", "text"),
                       ("quantity", "int"))),
    (SourcingDecisionRecord, (("order_id", "uuid"), ("rule_id", "text"), ("decision", "jsonb"),
                              ("at", "timestamptz"))),
    (PaymentTransaction, (("order_id", "uuid"), ("kind", "text"), ("amount", "numeric"),
                          ("currency", "text"), ("provider", "text"), ("reference", "text"),
                          ("at", "timestamptz"))),
)
EVENT_COLUMNS: Columns = (("order_id", "uuid"), ("type", "text"), ("status", "text"),
                          ("message", "text"), ("data", "jsonb"), ("at", "timestamptz"))


def _sql() -> str:
    """The one statement: a CTE per table, then the events, whose ids come back in order."""
    parts, start = [], 1
    for i, (model, columns) in enumerate(TABLES):
        parts.append(f"t{i} AS ({_insert(model, columns, start)})")
        start += len(columns)
    events = _insert(OrderEvent, EVENT_COLUMNS, start, ordered=True)
    return "WITH " + ", ".join(parts) + " " + events + ' RETURNING "id"'


def _insert(model: type[Model], columns: Columns, start: int, ordered: bool = False) -> str:
    names = ", ".join(f'"{name}"' for name, _ in columns)
    arrays = ", ".join(f"${start + i}::{kind}[]" for i, (_, kind) in enumerate(columns))
    source = f"SELECT * FROM unnest({arrays})"
    if ordered:
        source = (f"SELECT {names} FROM unnest({arrays}) WITH ORDINALITY "
                  f"AS r({names}, n) ORDER BY n")
    return f'INSERT INTO "{model._meta.db_table}" ({names}) {source}'


SQL = _sql()


def _arrays(model: type[Model], columns: Columns, rows: Sequence[Model]) -> list[list[Any]]:
    fields = model._meta.fields_map
    out: list[list[Any]] = []
    for name, _ in columns:
        field = fields.get(name)
        out.append([field.to_db_value(getattr(row, name), row) if field is not None
                    else getattr(row, name) for row in rows])
    return out


async def insert_order(rows: Sequence[Sequence[Model]], events: Sequence[OrderEvent]) -> None:
    """Insert `rows` (per model of TABLES, in that order; a list may be empty) and `events`,
    in one statement; the events get their ids."""
    values: list[list[Any]] = []
    for (model, columns), of_model in zip(TABLES, rows, strict=True):
        values += _arrays(model, columns, of_model)
    values += _arrays(OrderEvent, EVENT_COLUMNS, events)
    found = await connections.get("default").execute_query_dict(SQL, values)
    for event, row in zip(events, sorted(r["id"] for r in found), strict=True):
        event.id = row
    for of_model in rows:
        for row in of_model:
            row._saved_in_db = True
