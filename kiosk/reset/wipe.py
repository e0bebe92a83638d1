"""Wiping a device back to its first boot: settings, secrets, the database (catalog and all)."""

from __future__ import annotations

import shutil
from pathlib import Path

from kiosk.config import CONFIG_NAME
from kiosk.reset.request import REQUEST
from kiosk.secrets import secrets_path

DB_NAME = "kiosk.db"
SETUP_STATE = "setup-state.json"  # the setup wizard's place (kiosk/setup), so it starts afresh


def wipe_targets(data_dir: Path, config_path: Path | None) -> list[Path]:
    """What a reset removes, existing or not: the database with its WAL, settings, secrets."""
    db = data_dir / DB_NAME
    return [
        db,
        db.with_name(DB_NAME + "-wal"),
        db.with_name(DB_NAME + "-shm"),
        db.with_name(DB_NAME + "-journal"),
        config_path or data_dir / CONFIG_NAME,
        secrets_path(data_dir),
        data_dir / SETUP_STATE,
        data_dir / "receipts",  # printed-receipt copies: customers' purchases
        data_dir / REQUEST,  # the touchscreen's request, carried out
    ]


def wipe(data_dir: Path, config_path: Path | None) -> list[Path]:
    """Remove each target; the ones that were there. The secrets go last: if the wipe stops
    part way, the device still knows its store and can be reset again."""
    removed = []
    for path in wipe_targets(data_dir, config_path):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            continue
        removed.append(path)
    return removed
