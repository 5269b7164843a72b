"""Query limits, checked before anything runs: the query's length and tokens while it
is parsed, then depth, aliases and cost before it is validated (validation of a huge
document is itself the expensive part: overlapping-field checks grow with the square
of the fields), so no refused query costs more than a few milliseconds.

Refusals are GraphQL errors with `extensions.code = QUERY_TOO_COMPLEX`, naming the
limit, the measured figure and the allowed one. The cost of an operation: every
field costs 1, and a list field multiplies the cost of what is selected under it
by its size: its `first` or `limit` argument, the length of its `skus` argument,
the `first` of the connection it is the edges of, or DEFAULT_LIST_SIZE for lists
nothing bounds. A served answer reports its cost in `extensions.cost` (as
Shopify does), so clients can see how close they are.
Introspection fields (`__schema`, `__type`, ...) are not counted: GraphiQL's own
query must always pass.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    parse,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

DEFAULT_LIST_SIZE = 10
"What an unbounded list field is assumed to hold when its cost is counted."
SIZE_ARGUMENTS = ("first", "limit")
SIZED_BY_LIST = ("skus",)
CODE = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True)
class Limits:
    max_depth: int = 12
    max_aliases: int = 30
    max_cost: int = 50_000
    max_tokens: int = 3_000
    max_query_chars: int = 30_000


@dataclass
class Measure:
    depth: int = 0
    aliases: int = 0
    cost: int = 0
    visited: int = 0


class _Exceeded(Exception):
    """The walk stopped early: `measure` (the operation's, or a fragment's within it) is
    already over a limit, so the operation is too."""

    def __init__(self, measure: Measure) -> None:
        self.measure = measure


_TOKEN = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|#[^\n\r]*|\.\.\.'
                    r'|[_A-Za-z][_0-9A-Za-z]*|-?[0-9][0-9.eE+-]*|[!$&()\[\]{}:=@|]')


def count_tokens(query: str) -> int:
    """The tokens of `query` as GraphQL's lexer counts them (comments are not tokens), found by
    one regular expression: a bomb is refused in a millisecond rather than the tens the
    lexer takes to reach the limit."""
    found = _TOKEN.findall(query)
    return len(found) - sum(1 for token in found if token[0] == "#") if "#" in query else len(found)


MAX_SHOWN = 2**53 - 1
"""The largest integer JSON readers keep exactly: nested page sizes multiply past it (and past
64 bits, which no JSON encoder takes), so a larger measure is shown as at least this."""


def too_complex(what: str, measured: int, limit: int) -> GraphQLError:
    shown = min(measured, MAX_SHOWN)
    return GraphQLError(
        f"query {what} {'over ' if measured > shown else ''}{shown} is over the limit of {limit}",
        extensions={"code": CODE, "limit": what, "measured": shown, "allowed": limit},
    )


class Walk:
    """Measures one operation of a document against the schema, given its variables."""

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
                 variables: Mapping[str, Any], limits: Limits | None = None) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.limits = limits
        self._spreads: dict[tuple[str, int, int | None], tuple[int, Measure]] = {}

    def operation(self, op: OperationDefinitionNode, measure: Measure | None = None) -> Measure:
        root = self.schema.get_root_type(op.operation)
        measure = measure or Measure()
        if root is not None:
            measure.cost = self.selections(op.selection_set, root, 1, measure, frozenset(), None)
        return measure

    def selections(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None,
                   depth: int, measure: Measure, seen: frozenset[str], hint: int | None) -> int:
        """The cost of `selection_set` on `parent`, updating depth and aliases on the way
        (`hint`: the page size of the connection `parent` is, for its lists)."""
        cost = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                cost += self.field(selection, parent, depth, measure, seen, hint)
            elif isinstance(selection, InlineFragmentNode):
                on = self._type(selection.type_condition.name.value) \
                    if selection.type_condition else parent
                cost += self.selections(selection.selection_set, on, depth, measure, seen, hint)
            elif isinstance(selection, FragmentSpreadNode):
                cost += self.spread(selection.name.value, depth, measure, seen, hint)
        return cost

    def field(self, field: FieldNode, parent: GraphQLNamedType | None, depth: int, measure: Measure,
              seen: frozenset[str], hint: int | None) -> int:
        if field.name.value.startswith("__"):
            return 0
        measure.depth = max(measure.depth, depth)
        measure.aliases += field.alias is not None
        measure.visited += 1
        self._stop_if_over(measure)
        definition = parent.fields.get(field.name.value) if isinstance(parent, GraphQLObjectType) \
            else None
        if definition is None:
            return 1
        size, page = self._size(field, definition.type, hint)
        below = self.selections(field.selection_set, _unwrap(definition.type), depth + 1, measure,
                                seen, page) if field.selection_set else 0
        return 1 + size * below

    def spread(self, name: str, depth: int, measure: Measure, seen: frozenset[str],
               hint: int | None) -> int:
        """A fragment's cost where it is spread, measured once per depth and page size: a
        fragment spread many times (or fragments spreading each other) costs its figures
        every time, but is walked only once."""
        fragment = self.fragments.get(name)
        if fragment is None or name in seen:
            return 0
        key = (name, depth, hint)
        if key not in self._spreads:
            inner = Measure()
            on = self._type(fragment.type_condition.name.value)
            cost = self.selections(fragment.selection_set, on, depth, inner, seen | {name}, hint)
            self._spreads[key] = (cost, inner)
        cost, inner = self._spreads[key]
        measure.depth = max(measure.depth, inner.depth)
        measure.aliases += inner.aliases
        measure.visited += inner.visited
        self._stop_if_over(measure)
        return cost

    def _stop_if_over(self, measure: Measure) -> None:
        if self.limits is not None and over(measure, self.limits):
            raise _Exceeded(measure)  # every field visited costs at least 1: no need to count on

    def _type(self, name: str) -> GraphQLNamedType | None:
        """The named type (None if the schema has none: validation, which runs after the
        limits, will say so)."""
        return self.schema.get_type(name)

    def _size(self, field: FieldNode, field_type: Any, hint: int | None) -> tuple[int, int | None]:
        """How many items a field is counted as (1 unless a list), and the page size its
        own lists inherit (a connection's `first`)."""
        if isinstance(field_type, GraphQLNonNull):
            field_type = field_type.of_type
        given = None
        for argument in field.arguments or ():
            value = self._value(argument.value)
            if argument.name.value in SIZE_ARGUMENTS and isinstance(value, int):
                given = max(1, value)
            elif argument.name.value in SIZED_BY_LIST and isinstance(value, list):
                given = max(1, len(value))
        if not isinstance(field_type, GraphQLList):
            return 1, given
        return given or hint or DEFAULT_LIST_SIZE, None

    def _value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, ListValueNode):
            return list(node.values)
        return None


def _unwrap(field_type: Any) -> GraphQLNamedType:
    while isinstance(field_type, GraphQLNonNull | GraphQLList):
        field_type = field_type.of_type
    return field_type  # type: ignore[no-any-return]


def measure_operation(schema: GraphQLSchema, document: Any, operation_name: str | None,
                      variables: Mapping[str, Any] | None,
                      limits: Limits | None = None) -> Measure | None:
    """Depth, aliases and cost of the operation a request runs (None if it names none).
    With `limits`, the walk stops as soon as one is passed (the figures so far are over)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next((op for op in operations if operation_name is None
                   or (op.name is not None and op.name.value == operation_name)), None)
    if chosen is None:
        return None
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    measure = Measure()
    try:
        return Walk(schema, fragments, variables or {}, limits).operation(chosen, measure)
    except _Exceeded as stop:
        stop.measure.cost = max(stop.measure.cost, stop.measure.visited)
        return stop.measure


def _figures(measure: Measure, limits: Limits) -> tuple[tuple[str, int, int], ...]:
    return (("depth", measure.depth, limits.max_depth),
            ("aliases", measure.aliases, limits.max_aliases),
            ("cost", max(measure.cost, measure.visited), limits.max_cost))


def over(measure: Measure, limits: Limits) -> bool:
    return any(measured > allowed for _, measured, allowed in _figures(measure, limits))


def check(measure: Measure, limits: Limits) -> GraphQLError | None:
    """The first limit `measure` breaks, as the error to answer with."""
    for what, measured, allowed in _figures(measure, limits):
        if measured > allowed:
            return too_complex(what, measured, allowed)
    return None


def query_limits(limits: Limits) -> type[SchemaExtension]:
    """A schema extension that parses (cached) within the length and token limits, and
    validates (cached) only operations within depth, aliases and cost."""

    @lru_cache(maxsize=512)
    def parse_within(query: str) -> DocumentNode | GraphQLError:
        """The document, or the error refusing it (cached too: a bomb sent again costs nothing)."""
        counted = count_tokens(query)
        if counted > limits.max_tokens:
            return too_complex("tokens", counted, limits.max_tokens)
        try:
            return parse(query, max_tokens=limits.max_tokens)
        except GraphQLSyntaxError as exc:
            if "tokens" in exc.message and "Parsing aborted" in exc.message:
                return too_complex("tokens", limits.max_tokens + 1, limits.max_tokens)
            return exc

    @lru_cache(maxsize=512)
    def validate_once(schema: GraphQLSchema, document: DocumentNode,
                      rules: tuple[Any, ...]) -> list[GraphQLError]:
        return validate(schema, document, rules)

    class QueryLimits(SchemaExtension):
        cost: int | None = None

        def on_parse(self) -> Iterator[None]:
            context = self.execution_context
            query = context.query or ""
            if context.graphql_document is None and query:
                if len(query) > limits.max_query_chars:
                    raise too_complex("characters", len(query), limits.max_query_chars)
                parsed = parse_within(query)
                if isinstance(parsed, GraphQLError):
                    raise parsed
                context.graphql_document = parsed
            yield

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            document = context.graphql_document
            measure = measure_operation(context.schema._schema, document, context.operation_name,
                                        context.variables, limits) if document else None
            refusal = check(measure, limits) if measure else None
            if refusal is not None:
                context.pre_execution_errors = [refusal]
            elif document is not None:
                context.pre_execution_errors = validate_once(
                    context.schema._schema, document, tuple(context.validation_rules))
                if measure is not None and context.operation_type is not OperationType.SUBSCRIPTION:
                    self.cost = measure.cost
            yield

        def get_results(self) -> dict[str, Any]:
            return {"cost": self.cost} if self.cost is not None else {}

    return QueryLimits
