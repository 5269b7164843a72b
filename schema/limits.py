"""Query limits, checked before anything runs: depth, aliases and cost.

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

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
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


@dataclass
class Measure:
    depth: int = 0
    aliases: int = 0
    cost: int = 0


def too_complex(what: str, measured: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"query {what} {measured} is over the limit of {limit}",
        extensions={"code": CODE, "limit": what, "measured": measured, "allowed": limit},
    )


class Walk:
    """Measures one operation of a document against the schema, given its variables."""

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode],
                 variables: Mapping[str, Any]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def operation(self, op: OperationDefinitionNode) -> Measure:
        root = self.schema.get_root_type(op.operation)
        measure = Measure()
        if root is not None:
            measure.cost = self.selections(op.selection_set, root, 1, measure, set(), None)
        return measure

    def selections(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType,
                   depth: int, measure: Measure, seen: set[str], hint: int | None) -> int:
        """The cost of `selection_set` on `parent`, updating depth and aliases on the way
        (`hint`: the page size of the connection `parent` is, for its lists)."""
        cost = 0
        for field, on in self._fields(selection_set, parent, seen):
            if field.name.value.startswith("__"):
                continue
            measure.depth = max(measure.depth, depth)
            measure.aliases += field.alias is not None
            definition = on.fields.get(field.name.value) if isinstance(on, GraphQLObjectType) \
                else None
            if definition is None:
                cost += 1
                continue
            child = _unwrap(definition.type)
            size, page = self._size(field, definition.type, hint)
            below = self.selections(field.selection_set, child, depth + 1, measure, seen, page) \
                if field.selection_set else 0
            cost += 1 + size * below
        return cost

    def _fields(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType,
                seen: set[str]) -> Iterator[tuple[FieldNode, GraphQLNamedType]]:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                on = self._type(selection.type_condition.name.value) \
                    if selection.type_condition else parent
                yield from self._fields(selection.selection_set, on, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                on = self._type(fragment.type_condition.name.value)
                yield from self._fields(fragment.selection_set, on, seen | {name})

    def _type(self, name: str) -> GraphQLNamedType:
        found = self.schema.get_type(name)
        assert found is not None
        return found

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
                      variables: Mapping[str, Any] | None) -> Measure | None:
    """Depth, aliases and cost of the operation a request runs (None if it names none)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next((op for op in operations if operation_name is None
                   or (op.name is not None and op.name.value == operation_name)), None)
    if chosen is None:
        return None
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    return Walk(schema, fragments, variables or {}).operation(chosen)


def check(measure: Measure, limits: Limits) -> GraphQLError | None:
    """The first limit `measure` breaks, as the error to answer with."""
    for what, measured, allowed in (("depth", measure.depth, limits.max_depth),
                                    ("aliases", measure.aliases, limits.max_aliases),
                                    ("cost", measure.cost, limits.max_cost)):
        if measured > allowed:
            return too_complex(what, measured, allowed)
    return None


def query_limits(limits: Limits) -> type[SchemaExtension]:
    """A schema extension refusing operations over `limits` before they execute."""

    class QueryLimits(SchemaExtension):
        cost: int | None = None

        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            if context.graphql_document is not None:
                measure = measure_operation(context.schema._schema, context.graphql_document,
                                            context.operation_name, context.variables)
                refusal = check(measure, limits) if measure else None
                if refusal is not None:
                    context.result = ExecutionResult(data=None, errors=[refusal])
                elif measure is not None and context.operation_type is not OperationType.SUBSCRIPTION:
                    self.cost = measure.cost
            yield

        def get_results(self) -> dict[str, Any]:
            return {"cost": self.cost} if self.cost is not None else {}

    return QueryLimits
