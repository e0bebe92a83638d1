"""Checks against Shopify's real Admin schema: a document is valid, an answer has its shape.

The schema is built here on its own (not the simulator's copy, whose fields carry the
simulator's resolvers), so an answer is checked by executing the document over the answer itself:
a missing non-null field, a wrong scalar or an unknown type fails just as a client would.
"""

from __future__ import annotations

import functools
import gzip
import json
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_client_schema,
    execute_sync,
    parse,
    validate,
)

from kiosk.sim.shopify.schema import schema_path


@functools.cache
def schema() -> GraphQLSchema:
    raw = json.loads(gzip.decompress(schema_path().read_bytes()))
    return build_client_schema(raw["data"])


def problems(document: str) -> list[str]:
    """What the schema refuses in `document` (empty: Shopify would accept it)."""
    return [e.message for e in validate(schema(), parse(document))]


def _read(source: Any, info: GraphQLResolveInfo, **_: Any) -> Any:
    key = info.field_nodes[0].alias.value if info.field_nodes[0].alias else info.field_name
    return source.get(key) if isinstance(source, dict) else None


def _type_of(value: Any, _info: GraphQLResolveInfo, _type: GraphQLAbstractType) -> str | None:
    # Answers name their type only when asked (__typename); a GID names it always.
    if isinstance(value, dict):
        if "__typename" in value:
            return str(value["__typename"])
        if isinstance(value.get("id"), str):
            return str(value["id"]).split("/")[3]
    return None


def shape_problems(document: str, variables: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """Where `data` is not what `document` asks of the schema (empty: it fits)."""
    result = execute_sync(
        schema(),
        parse(document),
        root_value=data,
        variable_values=variables,
        field_resolver=_read,
        type_resolver=_type_of,
    )
    found = [e.message for e in result.errors or ()]
    if result.data != data:
        found.append("the answer holds fields the document did not ask for")
    return found
