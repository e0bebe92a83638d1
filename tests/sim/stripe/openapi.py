"""Check requests and answers against Stripe's OpenAPI description (the trimmed subset).

`check_request(method, path, params)` returns what is wrong with a request as it went over the
wire (params decoded from the form body or query string, every value a string): the path and
method must be an operation of the description, every parameter name must be allowed
(`additionalProperties: false` on v1 bodies) and every value must parse as its schema's type
(integer, boolean, enum, object, array). `check_response(method, path, status, body)` returns
what is wrong with an answer: a 2xx body against the operation's 200 schema, an error against
its `default` (Stripe's `error`), property names, types, nullability, required properties and
enums, all the way down. Exactly the additions named in the subset's
"x-kiosk-newer-than-description" are allowed on top.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

SUBSET = Path(__file__).resolve().parents[2] / "fixtures" / "stripe_openapi_subset.json"


@functools.cache
def description() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SUBSET.read_text(encoding="utf-8"))
    return loaded


def _newer() -> dict[str, Any]:
    newer: dict[str, Any] = description()["x-kiosk-newer-than-description"]
    return newer


def operation(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """(template, operation) for a concrete path, or None if the description has no such one."""
    for template, item in description()["paths"].items():
        pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    return None


def check_request(method: str, path: str, params: dict[str, Any]) -> list[str]:
    found = operation(method, path)
    if found is None:
        return [f"{method} {path}: no such operation in the description"]
    template, op = found
    allowed = set(_newer()["request_params"].get(f"{method.upper()} {template}", []))
    if method.upper() == "POST":
        content = op.get("requestBody", {}).get("content", {})
        schema = content.get("application/x-www-form-urlencoded", {}).get("schema", {})
    else:
        schema = {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                p["name"]: p["schema"] for p in op.get("parameters", []) if p["in"] == "query"
            },
        }
    problems: list[str] = []
    _form(schema, params, "", problems, allowed)
    return [f"{method} {template}: {p}" for p in problems]


def _resolve(schema: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    name = None
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = description()["components"]["schemas"][name]
    return schema, name


def _any_of(
    branches: list[Any], check: Callable[[Any, list[str]], None], problems: list[str]
) -> None:
    """Fine if any branch fits; else the problems of the branch that came closest."""
    tries = []
    for branch in branches:
        found: list[str] = []
        check(branch, found)
        if not found:
            return
        tries.append(found)
    problems.extend(min(tries, key=len))


def _form(
    schema: dict[str, Any], value: Any, name: str, problems: list[str], allowed: set[str]
) -> None:
    """A decoded form value (strings, dicts, lists) against a request schema."""
    schema, _ = _resolve(schema)
    if "anyOf" in schema:
        _any_of(schema["anyOf"], lambda b, found: _form(b, value, name, found, allowed), problems)
        return
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if not isinstance(value, dict):
            problems.append(f"{name or 'body'}: expected an object, got {value!r}")
            return
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", not props)
        for key, sub in value.items():
            full = f"{name}[{key}]" if name else key
            if key in props:
                _form(props[key], sub, full, problems, allowed)
            elif isinstance(extra, dict):
                _form(extra, sub, full, problems, allowed)
            elif not extra and full not in allowed:
                problems.append(f"{full}: not a parameter of this operation")
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{f'{name}[{key}]' if name else key}: required, missing")
        return
    if kind == "array":
        if not isinstance(value, list):
            problems.append(f"{name}: expected an array, got {value!r}")
            return
        for i, item in enumerate(value):
            _form(schema.get("items", {}), item, f"{name}[{i}]", problems, allowed)
        return
    if not isinstance(value, str):
        problems.append(f"{name}: expected a {kind}, got {value!r}")
        return
    if kind == "integer" and not re.fullmatch(r"-?\d+", value):
        problems.append(f"{name}: {value!r} is not an integer")
    elif kind == "number" and not re.fullmatch(r"-?\d+(\.\d+)?", value):
        problems.append(f"{name}: {value!r} is not a number")
    elif kind == "boolean" and value not in ("true", "false"):
        problems.append(f"{name}: {value!r} is not a boolean")
    elif "enum" in schema and value not in schema["enum"]:
        problems.append(f"{name}: {value!r} is not one of {schema['enum']}")
    elif kind == "string" and len(value) > schema.get("maxLength", len(value)):
        problems.append(f"{name}: longer than {schema['maxLength']}")


def check_response(method: str, path: str, status: int, body: Any) -> list[str]:
    found = operation(method, path)
    if found is None:
        return [f"{method} {path}: no such operation in the description"]
    template, op = found
    responses = op["responses"]
    key = "200" if 200 <= status < 300 else "default"
    schema = responses[key]["content"]["application/json"]["schema"]
    problems: list[str] = []
    _json(schema, body, "", problems, None)
    return [f"{method} {template} -> {status}: {p}" for p in problems]


def _json(
    schema: dict[str, Any], value: Any, where: str, problems: list[str], owner: str | None
) -> None:
    """A JSON answer against a response schema; `owner` is the schema the property is on."""
    schema, name = _resolve(schema)
    owner = name or owner
    if value is None:
        if not schema.get("nullable"):
            problems.append(f"{where or 'body'}: null, but not nullable")
        return
    if "anyOf" in schema:
        _any_of(schema["anyOf"], lambda b, found: _json(b, value, where, found, owner), problems)
        return
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        _object(schema, value, where, problems, owner)
        return
    if kind == "array":
        if not isinstance(value, list):
            problems.append(f"{where}: expected an array, got {type(value).__name__}")
            return
        for i, item in enumerate(value):
            _json(schema.get("items", {}), item, f"{where}[{i}]", problems, owner)
        return
    expected = {
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
    }.get(kind or "")
    if expected is not None and (
        not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool))
    ):
        problems.append(f"{where}: expected {kind}, got {type(value).__name__} {value!r}")
        return
    if "enum" in schema and value not in schema["enum"]:
        newer = _newer()["enum_values"].get(f"{owner}.{where.rsplit('.', 1)[-1]}", [])
        if value not in newer:
            problems.append(f"{where}: {value!r} is not one of {schema['enum']}")


def _object(
    schema: dict[str, Any], value: Any, where: str, problems: list[str], owner: str | None
) -> None:
    if not isinstance(value, dict):
        problems.append(f"{where or 'body'}: expected an object, got {type(value).__name__}")
        return
    props = schema.get("properties", {})
    extra = schema.get("additionalProperties", not props)
    for key, sub in value.items():
        full = f"{where}.{key}" if where else key
        if key in props:
            _json(props[key], sub, full, problems, owner)
        elif isinstance(extra, dict):
            _json(extra, sub, full, problems, owner)
        elif not extra:
            problems.append(f"{full}: not a property of {owner or 'this object'}")
    for key in schema.get("required", []):
        if key not in value:
            problems.append(f"{where + '.' if where else ''}{key}: required, missing")
