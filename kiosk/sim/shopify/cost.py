"""Query cost and the leaky bucket, as Shopify's GraphQL Admin API charges them.

What the simulator relies on (shopify.dev, "GraphQL Admin API rate limits" and "Shopify API
limits"): every field has a cost: scalars and enums 0, objects 1, a connection 2 plus the number
of objects it asks for (`first`/`last`) times each object's own cost, a mutation 10. A request
needs its requested cost in the bucket or it is refused with `THROTTLED`; afterwards the
difference between requested and actual cost (what was really returned) is refunded. The bucket
refills continuously at the restore rate (100/200/1000/2000 points a second by plan) up to its
maximum; no single query may cost more than 1,000 points. Every answer carries
`extensions.cost {requestedQueryCost, actualQueryCost, throttleStatus {maximumAvailable,
currentlyAvailable, restoreRate}}`; a throttled one has `actualQueryCost: null`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.values import get_argument_values

MAX_QUERY_COST = 1000
MUTATION_COST = 10
_MISSING = object()


class Costing:
    """Computes one operation's requested cost, and its actual cost from the data it returned."""

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.operation = operation
        self.fragments = fragments
        self.variables = dict(variables)

    def requested(self) -> int:
        return self._root(_MISSING)

    def actual(self, data: Any) -> int:
        return self._root(data if data is not None else _MISSING)

    def _root(self, data: Any) -> int:
        if self.operation.operation is OperationType.MUTATION:
            return MUTATION_COST * len(self.operation.selection_set.selections)
        root = self.schema.query_type
        assert root is not None
        return self._selections(self.operation.selection_set, root, data)

    def _fields(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType
    ) -> list[tuple[FieldNode, GraphQLNamedType]]:
        out: list[tuple[FieldNode, GraphQLNamedType]] = []
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                out.append((sel, parent))
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition
                typ = self.schema.get_type(cond.name.value) if cond else parent
                out += self._fields(sel.selection_set, typ or parent)
            elif isinstance(sel, FragmentSpreadNode):
                frag = self.fragments[sel.name.value]
                typ = self.schema.get_type(frag.type_condition.name.value)
                out += self._fields(frag.selection_set, typ or parent)
        return out

    def _selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, data: Any
    ) -> int:
        total = 0
        for node, owner in self._fields(selection_set, parent):
            name = node.name.value
            if name.startswith("__"):
                continue
            fields = getattr(owner, "fields", {})
            if name not in fields:
                continue
            definition = fields[name]
            typ = get_named_type(definition.type)
            if is_leaf_type(typ) or node.selection_set is None:
                continue
            key = node.alias.value if node.alias else name
            value = data.get(key, _MISSING) if isinstance(data, dict) else _MISSING
            if typ.name.endswith("Connection"):
                total += self._connection(node, definition, typ, value)
            elif value is None:
                continue  # nothing came back: nothing to charge for
            else:
                item = value[0] if isinstance(value, list) and value else value
                if isinstance(value, list) and not value:
                    continue
                total += 1 + self._selections(node.selection_set, typ, item)
        return total

    def _connection(self, node: FieldNode, definition: Any, typ: Any, value: Any) -> int:
        """2 plus each object's cost: as asked (`first`) before, as returned after."""
        args = get_argument_values(definition, node, self.variables)
        asked = int(args.get("first") or args.get("last") or 1)
        inner, actual = 0, None
        assert node.selection_set is not None
        for child, _ in self._fields(node.selection_set, typ):
            child_type = get_named_type(typ.fields[child.name.value].type)
            key = child.alias.value if child.alias else child.name.value
            items = value.get(key) if isinstance(value, dict) else None
            if child.name.value == "nodes" and child.selection_set is not None:
                sel, item_type, unwrap = child.selection_set, child_type, False
            elif child.name.value == "edges" and child.selection_set is not None:
                sub = next(
                    (
                        f
                        for f, _ in self._fields(child.selection_set, child_type)
                        if f.name.value == "node" and f.selection_set is not None
                    ),
                    None,
                )
                if sub is None or sub.selection_set is None:
                    continue
                sel, unwrap = sub.selection_set, True
                item_type = get_named_type(child_type.fields["node"].type)
            else:
                continue
            inner = max(inner, 1 + self._selections(sel, item_type, _MISSING))
            if isinstance(items, list):
                # What came back, each object with what it nested (Shopify's actual cost).
                cost = sum(
                    1
                    + self._selections(
                        sel,
                        item_type,
                        item.get("node") if unwrap and isinstance(item, dict) else item,
                    )
                    for item in items
                )
                actual = cost if actual is None else max(actual, cost)
        return 2 + (actual if actual is not None else asked * inner)


class LeakyBucket:
    """Shopify's bucket of query points: refills at `restore_rate` a second up to `maximum`."""

    def __init__(
        self,
        *,
        maximum: float = 2000.0,
        restore_rate: float = 100.0,
        clock: Callable[[], float],
    ) -> None:
        self.maximum = maximum
        self.restore_rate = restore_rate
        self._clock = clock
        self._available = maximum
        self._at = clock()

    def available(self) -> float:
        now = self._clock()
        self._available = min(self.maximum, self._available + (now - self._at) * self.restore_rate)
        self._at = now
        return self._available

    def take(self, cost: int) -> bool:
        """Take `cost` points if the bucket holds them (else take nothing)."""
        # A client that waited exactly as long as the restore rate needs may land a hair short
        # in floating point: a billionth of a point is not a reason to refuse it.
        if self.available() < cost - 1e-6:
            return False
        self._available = max(0.0, self._available - cost)
        return True

    def refund(self, points: int) -> None:
        self._available = min(self.maximum, self.available() + max(0, points))

    def drain(self) -> None:
        """Empty the bucket (a lever for tests of throttling)."""
        self.available()
        self._available = 0.0

    def status(self) -> dict[str, float]:
        return {
            "maximumAvailable": self.maximum,
            "currentlyAvailable": self.available(),
            "restoreRate": self.restore_rate,
        }
