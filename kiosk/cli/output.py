"""How commands speak: one JSON object on stdout with --json, plain words otherwise."""

from __future__ import annotations

import json
import sys
from typing import Any


class UsageError(Exception):
    """Bad input from the person at the keyboard: exit 2, naming the argument or field."""


def emit(as_json: bool, data: dict[str, Any], text: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, sort_keys=False) + "\n")
    else:
        sys.stdout.write(text.rstrip("\n") + "\n")


def table(rows: list[list[str]], *, right: frozenset[int] = frozenset()) -> str:
    """Rows as aligned columns; columns in `right` are right-aligned (money)."""
    if not rows:
        return ""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)
