"""The diagnostics bundle: a tar.gz of logs, settings, status, the database check, the doctor's
output and recent sync errors, every member passed through the Redactor.

The secrets file itself never goes in: only which of its entries are set. What is secret is
known from it (every value), so those values are removed wherever they appear, as well as the
shapes of secrets in logs (redact.py).
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tarfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kiosk.config import Config, dump_toml
from kiosk.doctor.base import Check
from kiosk.doctor.checks import database_report, open_read_only, queue_report
from kiosk.doctor.redact import Redactor, secret_values
from kiosk.secrets import secrets_path


def secrets_summary(data_dir: Path) -> tuple[dict[str, Any], list[str]]:
    """Which secrets are set (never their values), and the values, for the Redactor."""
    path = secrets_path(data_dir)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {"file": "none"}, []
    except (OSError, ValueError) as exc:
        # Unreadable as JSON: every run of 4+ non-space characters is treated as a value.
        raw = path.read_bytes().decode(errors="replace") if path.exists() else ""
        return {"file": f"unreadable: {type(exc).__name__}"}, raw.split()
    summary: dict[str, Any] = {}
    for name, value in data.items() if isinstance(data, dict) else []:
        # Lists of names, not "name": "set" pairs, which the Redactor would take for secrets.
        entries = value if isinstance(value, dict) else {name: value}
        group = summary.setdefault(name if isinstance(value, dict) else "top level", {})
        for key, v in entries.items():
            group.setdefault("set" if v else "empty", []).append(key)
    return summary, secret_values(data)


def _catalog_counts(db_path: Path) -> dict[str, Any]:
    conn = open_read_only(db_path)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # noqa: S608 (schema's names)
            for t in ("products", "categories", "customers", "orders", "refunds", "staff")
            if t in tables
        }
    finally:
        conn.close()


def _refund_errors(db_path: Path) -> list[dict[str, Any]]:
    conn = open_read_only(db_path)
    try:
        if not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='refund_outbox'"
        ).fetchone():
            return []
        return [
            {"refund": r[0], "state": r[1], "attempts": r[2], "error": r[3], "at": r[4]}
            for r in conn.execute(
                "SELECT refund_id, state, attempts, last_error, updated_at FROM refund_outbox "
                "WHERE last_error != '' ORDER BY updated_at DESC LIMIT 50"
            )
        ]
    finally:
        conn.close()


def _safe(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except (sqlite3.Error, OSError) as exc:
        return {"error": str(exc)}


def members(
    config: Config,
    checks: Sequence[Check],
    logs: Mapping[str, str],
    extra_files: Iterable[Path] = (),
) -> tuple[dict[str, str], Redactor]:
    """The bundle's members (name -> text), already redacted, and the Redactor used."""
    summary, values = secrets_summary(config.data_dir)
    redact = Redactor(values)
    db = config.db_path
    out: dict[str, str] = {
        "doctor.json": json.dumps([c.as_dict() for c in checks], indent=2),
        "config/effective.toml": dump_toml(config),
        "config/secrets-summary.json": json.dumps(summary, indent=2),
    }
    if config.path is not None and config.path.exists():
        out["config/kiosk.toml"] = config.path.read_text(errors="replace")
    if db.exists():
        out["status.json"] = json.dumps(
            {"counts": _safe(_catalog_counts, db), "queue": _safe(queue_report, db)},
            indent=2,
            default=str,
        )
        out["db-check.json"] = json.dumps(_safe(database_report, db, True), indent=2)
        queue = _safe(queue_report, db)
        out["sync-errors.json"] = json.dumps(
            {
                "orders": queue.get("recent_errors", queue),
                "refunds": _safe(_refund_errors, db),
            },
            indent=2,
        )
    for name, text in logs.items():
        out[f"logs/{name}"] = text
    for path in [*config.data_dir.glob("*.log"), *extra_files]:
        if path.is_file():  # by its whole path: two folders may hold files of one name
            out[f"files/{path.resolve().as_posix().lstrip('/')}"] = path.read_text(errors="replace")
    return {name: redact(text) for name, text in out.items()}, redact


def write_bundle(path: Path, files: Mapping[str, str], *, now: float | None = None) -> Path:
    """`files` as a tar.gz at `path` (mode 0600, written beside it and renamed there)."""
    stamp = now if now is not None else time.time()
    top = "kiosk-diagnostics"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size, info.mtime, info.mode = len(data), int(stamp), 0o600
            tar.addfile(info, io.BytesIO(data))
    os.replace(tmp, path)
    return path
