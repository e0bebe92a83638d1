"""A factory reset asked for on the touchscreen, carried out by `kiosk reset --yes` outside it.

The till cannot wipe the database it (and, on the appliance, kiosk-agent) holds open, so the
screen leaves a request in the data folder after a manager approved it and nothing waited to
upload: on the appliance `kiosk-reset.path` sees it and `kiosk-reset.service` stops the till and
the agent, resets and starts them again into the setup wizard; a till run by hand does the same
itself once its window has closed. The request names the recorded approval: `kiosk reset`
takes it as the manager's PIN only when that approval is in the database.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

REQUEST = "reset-requested.json"


def request_path(data_dir: Path) -> Path:
    return data_dir / REQUEST


def write_request(data_dir: Path, *, approval_id: str, by: str, at: datetime) -> Path:
    """Leave the request (0600, written whole: the path unit must never see half of it)."""
    path = request_path(data_dir)
    tmp = path.with_suffix(".tmp")
    body = {"approval_id": approval_id, "by": by, "at": at.isoformat()}
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(body, f)
    tmp.replace(path)
    return path


def read_request(data_dir: Path) -> dict[str, Any] | None:
    """The request left by the screen, or None (none, or not one: a bad file asks nothing)."""
    try:
        loaded = json.loads(request_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def approved_by(conn: sqlite3.Connection, request: dict[str, Any] | None) -> str:
    """The manager whose recorded RESET approval the request names ("" when there is none)."""
    if not request or not isinstance(request.get("approval_id"), str):
        return ""
    try:
        r = conn.execute(
            "SELECT approved_by FROM staff_overrides WHERE id = ? AND action = 'reset'",
            (request["approval_id"],),
        ).fetchone()
    except sqlite3.OperationalError:  # a database from before staff existed
        return ""
    return str(r[0]) if r else ""
