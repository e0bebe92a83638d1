"""Keys and tokens, kept apart from the settings in one file only the kiosk user can read.

The file is written whole (temporary file, fsync, rename) with mode 0600 from its creation, so
there is never a moment when it exists with looser permissions, or half-written.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

SECRETS_NAME = "secrets.json"


class SecretsError(ValueError):
    """The secrets file is unreadable, malformed, or readable by others."""


@dataclass(frozen=True, slots=True)
class Secrets:
    consumer_key: str = ""
    consumer_secret: str = ""
    webhook_secret: str = ""

    def __repr__(self) -> str:
        # Never let a stray log line or traceback print a key.
        shown = ", ".join(
            f"{f.name}={'***' if getattr(self, f.name) else ''}" for f in fields(self)
        )
        return f"Secrets({shown})"

    __str__ = __repr__


def secrets_path(data_dir: Path) -> Path:
    return data_dir / SECRETS_NAME


def save_secrets(data_dir: Path, secrets: Secrets) -> Path:
    path = secrets_path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode is masked by umask; make it exact
        os.write(fd, (json.dumps(asdict(secrets), indent=2) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return path


def load_secrets(data_dir: Path) -> Secrets:
    """The stored secrets, or empty ones when the device has none yet."""
    path = secrets_path(data_dir)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return Secrets()
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretsError(
            f"{path}: readable by other users (mode {stat.S_IMODE(mode):o}); run `chmod 600 {path}`"
        )
    try:
        data: Any = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise SecretsError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, dict):
        raise SecretsError(f"{path}: expected a JSON object")
    known = {f.name for f in fields(Secrets)}
    values = {k: v for k, v in data.items() if k in known}
    bad = [k for k, v in values.items() if not isinstance(v, str)]
    if bad:
        raise SecretsError(f"{path}: {', '.join(bad)} must be text")
    return Secrets(**values)
