"""What this device remembers of its updates, beside the database (outside the A/B slots).

`pending` is written by `kiosk update install` (which system was written, with what version) and
marked `tried` by the health check on that system's first boot; `last` is the outcome, kept or
rolled back. An update installed with plain `rauc install` has no record: the health check then
marks a healthy boot good but never rolls back on its own (the firmware still does, for a boot
that hangs), and the outcome is read from RAUC's own slot status.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

RECORD_NAME = "update.json"
ROLLED_BACK = "rolled back"
KEPT = "kept"


@dataclass(frozen=True, slots=True)
class Pending:
    slot: str  # bootname written by the update ("B")
    version: str
    installed_at: str  # ISO time
    tried: bool = False  # its first boot has begun


@dataclass(frozen=True, slots=True)
class Outcome:
    slot: str
    version: str
    result: str  # KEPT or ROLLED_BACK
    at: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Record:
    pending: Pending | None = None
    last: Outcome | None = None


def record_path(data_dir: Path) -> Path:
    return data_dir / RECORD_NAME


def load_record(data_dir: Path) -> Record:
    """The record, or an empty one (none yet, or unreadable: it is advice, never a gate)."""
    try:
        raw = json.loads(record_path(data_dir).read_text())
        pending = Pending(**raw["pending"]) if raw.get("pending") else None
        last = Outcome(**raw["last"]) if raw.get("last") else None
    except (OSError, ValueError, TypeError, KeyError):
        return Record()
    return Record(pending, last)


def save_record(data_dir: Path, record: Record) -> None:
    """Write it whole and rename it into place: a power cut leaves the old one or the new one."""
    path = record_path(data_dir)
    tmp = path.with_suffix(".tmp")
    data = {
        "pending": asdict(record.pending) if record.pending else None,
        "last": asdict(record.last) if record.last else None,
    }
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    tmp.replace(path)


@dataclass(frozen=True, slots=True)
class Settled:
    record: Record
    trial: bool  # this boot is the pending system's first
    came_back: bool  # the pending system was tried and the device is back on the other one


def settle(record: Record, booted: str | None, now: str) -> Settled:
    """Where this boot stands with the pending update (pure)."""
    p = record.pending
    if p is None or booted is None:
        return Settled(record, trial=False, came_back=False)
    if booted == p.slot:
        return Settled(replace(record, pending=replace(p, tried=True)), trial=True, came_back=False)
    if not p.tried:  # installed, not booted yet: waits for its reboot
        return Settled(record, trial=False, came_back=False)
    # Tried, yet the old system is running: the firmware's one-shot trial ended without a good
    # mark (the new system hung, lost power, or was marked bad).
    outcome = Outcome(p.slot, p.version, ROLLED_BACK, now, "the new system did not come up in time")
    return Settled(Record(None, outcome), trial=False, came_back=True)


def concluded(record: Record, kept: bool, now: str, reason: str) -> Record:
    """The record once the trial has been decided (pure)."""
    p = record.pending
    if p is None:
        return record
    return Record(None, Outcome(p.slot, p.version, KEPT if kept else ROLLED_BACK, now, reason))
