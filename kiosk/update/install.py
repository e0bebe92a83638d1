"""`kiosk update install`: refuse while sales wait, keep a copy of the database, install, record.

Why refuse while orders wait to upload, although the database survives an update (it is on the
data partition, outside the A/B slots): the new version may migrate the database forward, and
if it is rolled back, the old version refuses a database written by newer code (SchemaTooNew).
With nothing waiting, every sale is already in the store; the copy taken before the install is
what a rolled-back device can be put back on (image/README.md: "Updates").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.update.rauc import Rauc, RaucError
from kiosk.update.record import Pending, Record, load_record, save_record

SNAPSHOT_DIR = "pre-update"


class UpdateRefused(RuntimeError):
    """The device is not in a state to be updated now; the message says why and what to do."""


def refusal(waiting: int, uploading: int) -> str | None:
    """Why an update must wait (pure): any order not yet in the store."""
    left = waiting + uploading
    if not left:
        return None
    orders = "1 order has" if left == 1 else f"{left} orders have"
    return (
        f"{orders} not reached the store yet: the update waits until they are uploaded "
        "(see `kiosk status`; the agent uploads them as soon as the store can be reached)"
    )


def snapshot(db_path: Path, data_dir: Path) -> Path:
    """A consistent copy of the database (SQLite's online backup), taken while it is in use."""
    target_dir = data_dir / SNAPSHOT_DIR
    target_dir.mkdir(mode=0o700, exist_ok=True)
    target = target_dir / db_path.name
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


@dataclass(frozen=True, slots=True)
class Installed:
    pending: Pending
    snapshot: Path


def install_update(
    rauc: Rauc,
    bundle: Path,
    *,
    data_dir: Path,
    db_path: Path,
    waiting: int,
    uploading: int,
    now: Callable[[], str],
) -> Installed:
    why = refusal(waiting, uploading)
    if why:
        raise UpdateRefused(why)
    if not bundle.is_file():
        raise UpdateRefused(f"{bundle}: no such bundle file")
    before = rauc.status()
    copy = snapshot(db_path, data_dir)
    rauc.install(bundle)
    after = rauc.status()
    target = after.primary_slot
    if target is None or target.bootname == before.booted:
        raise RaucError("rauc installed the bundle but did not make the other system primary")
    pending = Pending(slot=target.bootname, version=target.version or "?", installed_at=now())
    save_record(data_dir, Record(pending, load_record(data_dir).last))
    return Installed(pending, copy)
