"""A request's parameters as PHP hands them to WordPress: `$_GET` and `$_POST`.

PHP (main/php_variables.c, the same rules `parse_str()` documents on php.net) splits the raw query
string on `&`, each pair on its first `=`, and URL-decodes name and value (`+` and `%20` are both
a space). Then:
- one value per name: a name given twice keeps the LAST value (`a=1&a=2` gives `a=2`);
- `name[]=x` appends to an array under `name` (not under "name[]"), `name[k]=x` sets key `k`,
  nested brackets nest; a later plain `name=y` replaces the whole array, and vice versa;
- in the base name (before the first `[`), leading spaces are dropped and spaces and dots become
  `_`; a `[` without a closing `]` becomes `_` too and the rest is kept as it is;
- pairs with an empty name are dropped; at most `max_input_vars` (1000) are read.

This matters for authentication: WooCommerce's OAuth 1.0a check (WC_REST_Authentication::
check_oauth_signature, read in woocommerce/includes/rest-api) signs over `array_merge($_GET,
$_POST)`, so a client that sends the query string twice (the official `woocommerce` Python
client over HTTP puts it in the signed URL and again as `params=`) is accepted by a real store.
And it matters for every route: WordPress reads its arguments from the same arrays.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote_plus

MAX_INPUT_VARS = 1000
MAX_NESTING = 64

PhpValue = str | dict[str, Any]  # a PHP array is an ordered dict of string keys ("0", "1", ...)


def _base_name(raw: str) -> tuple[str, str]:
    """(the base name PHP keeps, the bracket part after it)."""
    name = raw.lstrip(" ")
    cut = name.find("[")
    if cut == -1 or "]" not in name[cut:]:
        # No (closed) bracket: the whole name is the base; an unclosed "[" becomes "_".
        return name.replace(" ", "_").replace(".", "_").replace("[", "_", 1), ""
    return name[:cut].replace(" ", "_").replace(".", "_"), name[cut:]


def _keys(brackets: str) -> list[str] | None:
    """`[a][][b]` as ["a", "", "b"]; None when PHP would keep the rest unparsed."""
    keys: list[str] = []
    rest = brackets
    while rest.startswith("["):
        end = rest.find("]")
        if end == -1:
            break
        keys.append(rest[1:end])
        rest = rest[end + 1 :]
        if len(keys) > MAX_NESTING:
            return None
    return keys


def _next_index(array: dict[str, Any]) -> str:
    ints = [int(k) for k in array if k.lstrip("-").isdigit()]
    return str(max(ints) + 1 if ints else 0)


def _set(target: dict[str, Any], name: str, keys: list[str], value: str) -> None:
    if not keys:
        target[name] = value
        return
    node = target.get(name)
    if not isinstance(node, dict):
        node = target[name] = {}
    for key in keys[:-1]:
        key = key or _next_index(node)
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    last = keys[-1] or _next_index(node)
    node[last] = value


def parse(raw: str) -> dict[str, PhpValue]:
    """`$_GET` of a raw (still encoded) query string, or `$_POST` of a form-encoded body."""
    out: dict[str, PhpValue] = {}
    for count, pair in enumerate(p for p in raw.split("&") if p):
        if count >= MAX_INPUT_VARS:
            break
        raw_name, _, raw_value = pair.partition("=")
        name, brackets = _base_name(unquote_plus(raw_name))
        if not name:
            continue
        keys = _keys(brackets) if brackets else []
        if keys is None:
            continue
        _set(out, name, keys, unquote_plus(raw_value))
    return out


def flatten(params: dict[str, PhpValue]) -> Iterator[tuple[str, str]]:
    """(name, value) pairs that a query string would carry: arrays as name[key]."""
    for name, value in params.items():
        if isinstance(value, dict):
            for key, inner in flatten(value):
                head, bracket, tail = key.partition("[")
                yield f"{name}[{head}]{bracket}{tail}", inner
        else:
            yield name, value


def canonical_query(params: dict[str, PhpValue]) -> str:
    """A query string with exactly `params`: one value per name, arrays as `name[]` when they
    are lists (keys 0, 1, ...) so that `Args.ids`/`words` read them, else `name[key]`."""
    parts = []
    for name, value in params.items():
        if isinstance(value, dict) and list(value) == [str(i) for i in range(len(value))]:
            parts += [
                f"{quote(name)}%5B%5D={quote(str(v), safe='')}"
                for v in value.values()
                if not isinstance(v, dict)
            ]
            continue
        for key, inner in flatten({name: value}):
            parts.append(f"{quote(key, safe='[]')}={quote(inner, safe='')}")
    return "&".join(parts)


def scalar(params: dict[str, PhpValue], name: str) -> str | None:
    """A parameter that must be a plain string (None when absent or an array)."""
    value = params.get(name)
    return value if isinstance(value, str) else None


__all__ = ["PhpValue", "canonical_query", "flatten", "parse", "scalar"]
