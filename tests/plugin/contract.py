"""plugin/kiosk-pos-companion/contract.json and its shape language, for the Python tests.

The PHP side checks the same shapes (plugin/kiosk-pos-companion/tests/class-kiosk-pos-shape.php):
a shape is a type name ('integer', 'string', 'boolean', 'number', 'null', 'object', 'any',
alternatives joined by '|'), an object {field: shape} (a field ending in '?' may be absent) or a
list [shape].
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

PATH = Path(__file__).resolve().parents[2] / "plugin" / "kiosk-pos-companion" / "contract.json"


@cache
def contract() -> dict[str, Any]:
    data = json.loads(PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _is(value: Any, kind: str) -> bool:
    return {
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "null": value is None,
        "object": isinstance(value, dict),
        "any": True,
    }.get(kind, False)


def problems(value: Any, shape: Any, path: str = "$") -> list[str]:
    """Where `value` does not fit `shape` (empty when it fits)."""
    if isinstance(shape, str):
        if any(_is(value, kind) for kind in shape.split("|")):
            return []
        return [f"{path}: expected {shape}, got {type(value).__name__}"]
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        return [p for i, item in enumerate(value) for p in problems(item, shape[0], f"{path}[{i}]")]
    if not isinstance(value, dict):
        return [f"{path}: expected an object"]
    out: list[str] = []
    for field, inner in shape.items():
        name = field.rstrip("?")
        if name not in value:
            if not field.endswith("?"):
                out.append(f"{path}.{name}: missing")
            continue
        out += problems(value[name], inner, f"{path}.{name}")
    return out


def response_shape(route: str) -> Any:
    return contract()["routes"][route]["response"]


def error_status(code: str) -> int:
    return int(contract()["errors"][code])


__all__ = ["PATH", "contract", "error_status", "problems", "response_shape"]
