"""Shopify's real Admin GraphQL schema for the pinned version, loaded from its introspection JSON.

The file is the one npm `@shopify/dev-mcp@1.16.0` ships as `dist/data/admin_<version>.json.gz`
(ISC licence, Copyright Shopify Inc.). It is fetched at install time, never kept in git: `make test`
puts it in this checkout's .cache/shopify/ (the Makefile's SHOPIFY_SCHEMA rule). It is found
through KIOSK_SHOPIFY_SCHEMA (a path), else there. graphql-core 3.2 builds a client schema from it
(3.3 changed the introspection API), which validates documents offline.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
from pathlib import Path

from graphql import GraphQLSchema, build_client_schema

API_VERSION = "2026-10"
ENV = "KIOSK_SHOPIFY_SCHEMA"
_CHECKOUT = Path(__file__).resolve().parents[3] / ".cache" / "shopify"


class SchemaMissing(RuntimeError):
    """The schema file is not on this machine."""


def schema_path(version: str = API_VERSION) -> Path:
    """Where the Admin schema of `version` is (SchemaMissing says how to get it if nowhere)."""
    env = os.environ.get(ENV)
    path = Path(env) if env else _CHECKOUT / f"admin_{version}.json.gz"
    if not path.is_file():
        raise SchemaMissing(
            f"the Shopify Admin schema {path} is missing: `make test` fetches it (npm pack "
            f"@shopify/dev-mcp@1.16.0, dist/data/admin_{version}.json.gz), or set {ENV} to a copy"
        )
    return path


@functools.cache
def _load(path: Path) -> GraphQLSchema:
    raw = json.loads(gzip.decompress(path.read_bytes()))
    return build_client_schema(raw.get("data", raw))


def load_schema(version: str = API_VERSION) -> GraphQLSchema:
    """The schema, built once per process (about half a second) and shared."""
    return _load(schema_path(version))
