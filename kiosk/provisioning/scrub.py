"""The provisioning file rewritten without its secrets, atomically, keeping the vendor's layout.

Each line holding a secret becomes a comment saying where the value went. The result is read
back: when it is not exactly the original minus the secrets (a dotted key, an inline table, a
multi-line string), the file is written afresh from its parsed values instead, comments lost.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

SecretPath = Sequence[str]  # ("woocommerce", "consumer_key"), ("staff", "0", "pin")
MOVED = "taken off this file by kiosk provision, kept on the device (readable only by it)"
_HEADER = re.compile(r"^\s*\[(\[)?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")


def without_secrets(raw: Mapping[str, Any], paths: Sequence[SecretPath]) -> dict[str, Any]:
    """`raw` with the values at `paths` removed."""
    out: dict[str, Any] = _copy(raw)
    for path in paths:
        node: Any = out
        for part in path[:-1]:
            node = node[int(part)] if isinstance(node, list) else node.get(part, {})
        if isinstance(node, dict):
            node.pop(path[-1], None)
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def scrubbed_text(text: str, paths: Sequence[SecretPath]) -> str:
    """`text` with each secret's line turned into a comment (see the module docstring)."""
    wanted = {tuple(p) for p in paths}
    table: tuple[str, ...] = ()
    staff = -1
    out = []
    for line in text.splitlines(keepends=True):
        header = _HEADER.match(line)
        if header:
            name = header.group(2).replace('"', "").replace("'", "").strip()
            if header.group(1):  # [[array]]
                staff = staff + 1 if name == "staff" else staff
                table = (name, str(staff)) if name == "staff" else (name,)
            else:
                table = tuple(part.strip() for part in name.split("."))
            out.append(line)
            continue
        key = re.match(r"^\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*=", line)
        if key and (*table, key.group(1)) in wanted:
            out.append(f"# {key.group(1)}: {MOVED}\n")
            continue
        out.append(line)
    return "".join(out)


def scrub_file(path: Path, raw: Mapping[str, Any], paths: Sequence[SecretPath]) -> bool:
    """Rewrite `path` without the secrets at `paths`; False when there were none to remove."""
    present = [p for p in paths if _has(raw, p)]
    if not present:
        return False
    expected = without_secrets(raw, present)
    text = scrubbed_text(path.read_text(), present)
    try:
        ok = tomllib.loads(text) == expected
    except tomllib.TOMLDecodeError:
        ok = False
    write_atomic(path, text if ok else dump(expected))
    return True


def _has(raw: Any, path: SecretPath) -> bool:
    node = raw
    for part in path:
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return False
            node = node[int(part)]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return False
    return True


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` whole: a temporary file beside it, fsynced, renamed over it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    try:  # the rename itself durable; a FAT boot partition cannot open a folder, and need not
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def dump(data: Mapping[str, Any]) -> str:
    """`data` as TOML: the values tomllib reads (text, numbers, booleans, dates, lists, tables)."""
    lines: list[str] = []
    _table(lines, (), data)
    return "\n".join(lines).lstrip("\n") + "\n"


def _table(lines: list[str], name: tuple[str, ...], data: Mapping[str, Any]) -> None:
    scalars = {k: v for k, v in data.items() if not _is_table(v) and not _is_tables(v)}
    if name and (scalars or not data):
        lines += ["", f"[{_key(name)}]"]
    lines += [f"{_key((k,))} = {_value(v)}" for k, v in scalars.items()]
    for k, v in data.items():
        if _is_table(v):
            _table(lines, (*name, k), v)
        elif _is_tables(v):
            for item in v:
                lines += ["", f"[[{_key((*name, k))}]]"]
                lines += [f"{_key((ik,))} = {_value(iv)}" for ik, iv in item.items()]


def _is_table(v: Any) -> bool:
    return isinstance(v, Mapping)


def _is_tables(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(i, Mapping) for i in v)


def _key(parts: tuple[str, ...]) -> str:
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else json.dumps(p) for p in parts)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, datetime | date | time):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(i) for i in v) + "]"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{_key((k,))} = {_value(i)}" for k, i in v.items()) + "}"
    return json.dumps(str(v), ensure_ascii=False)  # a JSON string is a TOML basic string
