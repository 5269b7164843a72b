"""Writing one KPI statement for PostgreSQL or SQLite: parameters, the scope's predicates,
and the few expressions whose SQL differs (JSON, time differences)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tortoise import connections

from oms.db import is_postgres
from oms.metrics.scope import MetricsScope


class Statement:
    """A statement being written left to right: `bind` returns the mark of the next parameter
    ($n on PostgreSQL, ? on SQLite), so values must be bound in the order they appear."""

    def __init__(self) -> None:
        self.conn = connections.get("default")
        self.postgres = is_postgres(self.conn)
        self.values: list[Any] = []

    def bind(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else "?"

    def bind_all(self, values: Iterable[Any]) -> str:
        return ", ".join(self.bind(value) for value in values)

    def orders_in(self, scope: MetricsScope, alias: str = "o") -> str:
        """Orders `alias` placed in the scope's window, on its channels."""
        return (self.window(scope, f'{alias}."created_at"')
                + self.channels(scope, alias))

    def window(self, scope: MetricsScope, column: str) -> str:
        return f"{column} >= {self.bind(scope.start)} AND {column} < {self.bind(scope.end)}"

    @staticmethod
    def channels(scope: MetricsScope, alias: str = "o") -> str:
        return _among(f'{alias}."channel_id"', scope.channel_ids)

    @staticmethod
    def nodes(scope: MetricsScope, column: str) -> str:
        return _among(column, scope.node_ids)

    def json_sum(self, column: str, array: str, key: str) -> str:
        """The sum of `key` over the objects of the JSON array `array` in `column` (0 if none)."""
        if self.postgres:
            return (f"(SELECT COALESCE(SUM((e.value ->> '{key}')::int), 0) "
                    f"FROM jsonb_array_elements({column} -> '{array}') e)")
        return (f"(SELECT COALESCE(SUM(json_extract(e.value, '$.{key}')), 0) "
                f"FROM json_each({column}, '$.{array}') e)")

    def json_float(self, column: str, *path: str) -> str:
        if self.postgres:
            return f"({column} #>> '{{{','.join(path)}}}')::float8"
        return f"json_extract({column}, '$.{'.'.join(path)}')"

    def json_text(self, column: str, *path: str) -> str:
        if self.postgres:
            return f"({column} #>> '{{{','.join(path)}}}')"
        return f"json_extract({column}, '$.{'.'.join(path)}')"

    def hours_between(self, later: str, earlier: str) -> str:
        if self.postgres:
            return f"(EXTRACT(EPOCH FROM {later} - {earlier}) / 3600.0)"
        return f"((julianday({later}) - julianday({earlier})) * 24.0)"

    def seconds_since(self, column: str, start: datetime) -> str:
        """Seconds from `start` to the timestamp in `column`."""
        if self.postgres:
            return f"EXTRACT(EPOCH FROM {column} - {self.bind(start)}::timestamptz)"
        # julianday is a double (~50 µs apart at our dates): rounded to the millisecond, an
        # instant on a boundary falls on it rather than just before.
        return f"ROUND((julianday({column}) - julianday({self.bind(start)})) * 86400.0, 3)"

    async def rows(self, sql: str) -> list[dict[str, Any]]:
        return list(await self.conn.execute_query_dict(sql, self.values))


def _among(column: str, ids: tuple[int, ...] | None) -> str:
    """` AND column IN (ids)` (ids are ours, read from the database: written inline), nothing
    for None (no limit), and a false condition for no ids at all."""
    if ids is None:
        return ""
    if not ids:
        return " AND 1 = 0"
    return f" AND {column} IN ({', '.join(str(int(i)) for i in ids)})"
