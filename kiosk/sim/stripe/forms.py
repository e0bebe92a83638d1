"""Form-encoded parameters as Stripe reads them, and a small declarative check of each endpoint's.

Relied on (stripe-python `_encode._api_encode` and `_api_requestor`): v1 POST bodies are
`application/x-www-form-urlencoded`; GET and DELETE put the same encoding in the query string.
Nested objects are `a[b][c]=v`, lists are indexed `a[0]=v` (stripe-python) or `a[]=v` (curl and
other clients), booleans `true`/`false`, integers decimal, None is left out. Brackets arrive
either literal or percent-encoded. Stripe refuses a parameter it does not know
("Received unknown parameter: x"), and names nested ones as `a[b]`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from kiosk.sim.stripe import errors

Obj = dict[str, Any]
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def decode(text: str) -> Obj:
    """`a[b][0]=x&c=y` -> {"a": {"b": ["x"]}, "c": "y"}; a malformed key is kept flat."""
    root: Obj = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        m = _KEY.match(key)
        parts = [key] if m is None else [m.group(1), *re.findall(r"\[([^\[\]]*)\]", m.group(2))]
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":
                # `a[]`: append; a dict stands in for the list until the end (see _lists).
                part = str(len(node))
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise errors.invalid(f"Invalid array or hash for {key}", param=parts[0])
    decoded: Obj = _lists(root)
    return decoded


def _lists(node: Any) -> Any:
    """Dicts whose keys are 0..n-1 become lists, as Stripe reads `a[0]`, `a[1]`."""
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


Check = Callable[[str, Any], Any]  # (param name as Stripe prints it, raw value) -> value


def text(max_length: int = 5000) -> Check:
    def check(name: str, raw: Any) -> str:
        if not isinstance(raw, str):
            raise errors.invalid(f"Invalid string: {raw!r}", param=name)
        if len(raw) > max_length:
            raise errors.invalid(
                f"Invalid string: {raw[:20]}...; must be at most {max_length} characters",
                param=name,
            )
        return raw

    return check


def integer(name: str, raw: Any) -> int:
    if not isinstance(raw, str) or not re.fullmatch(r"-?\d+", raw):
        raise errors.not_integer(name, str(raw))
    return int(raw)


def boolean(name: str, raw: Any) -> bool:
    if raw not in ("true", "false"):
        raise errors.not_boolean(name, str(raw))
    return bool(raw == "true")


def one_of(*allowed: str) -> Check:
    def check(name: str, raw: Any) -> str:
        if raw not in allowed:
            raise errors.not_one_of(name, str(raw), allowed)
        return str(raw)

    return check


def list_of(item: Check) -> Check:
    def check(name: str, raw: Any) -> list[Any]:
        if isinstance(raw, str) and raw == "":
            return []
        if not isinstance(raw, list):
            raise errors.invalid(f"Invalid array: {name}", param=name)
        return [item(f"{name}[{i}]", v) for i, v in enumerate(raw)]

    return check


def obj(spec: Mapping[str, Check], *, required: tuple[str, ...] = ()) -> Check:
    def check(name: str, raw: Any) -> Obj:
        if not isinstance(raw, dict):
            raise errors.invalid(f"Invalid hash: {name}", param=name)
        return _apply(spec, raw, required, prefix=name)

    return check


def metadata(name: str, raw: Any) -> dict[str, str] | None:
    """Stripe's metadata: up to 50 keys of <= 40 characters, values <= 500; "" clears it."""
    if raw == "":
        return None
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise errors.invalid(f"Invalid hash: {name}", param=name)
    if len(raw) > 50:
        raise errors.invalid("Invalid metadata: must have at most 50 keys", param=name)
    for k, v in raw.items():
        if len(k) > 40 or len(v) > 500:
            raise errors.invalid(
                "Metadata keys must be at most 40 characters and values at most 500",
                param=f"{name}[{k}]",
            )
    return dict(raw)


EXPAND = list_of(text())


@dataclass(frozen=True)
class Spec:
    """The parameters one endpoint takes (`expand` is always allowed)."""

    fields: Mapping[str, Check]
    required: tuple[str, ...] = ()

    def parse(self, raw: Obj) -> Obj:
        return _apply({**self.fields, "expand": EXPAND}, raw, self.required, prefix="")


def _apply(spec: Mapping[str, Check], raw: Obj, required: tuple[str, ...], prefix: str) -> Obj:
    def full(k: str) -> str:
        return f"{prefix}[{k}]" if prefix else k

    for k in raw:
        if k not in spec:
            raise errors.unknown(full(k))
    for k in required:
        if k not in raw or raw[k] == "":
            raise errors.missing(full(k))
    return {k: spec[k](full(k), v) for k, v in raw.items()}
