"""RAUC, the A/B updater, behind a narrow Protocol: its status, marking the boot, installing.

What it relies on (recorded from RAUC 1.8 in tests/fixtures/rauc/): `rauc status
--output-format=json --detailed` prints {"compatible", "variant", "booted": <bootname>,
"boot_primary": <slot name>, "slots": [{<slot name>: {"class", "bootname", "state":
"booted|active|inactive", "boot_status": "good|bad|null", "slot_status": {"bundle": {"version",
...}, "installed": {"timestamp", "count"}, "status": "ok|..."}}}, ...]}; a slot never written
has only {"bundle": {"compatible": null}}. `rauc status mark-good|mark-bad booted|other` marks
a slot; `rauc install BUNDLE` writes the other slot and makes it primary.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

ROOT_CLASS = "rootfs"  # the slots that are whole systems (the boot slots follow them)
Mark = Literal["good", "bad"]
Which = Literal["booted", "other"]


class RaucError(RuntimeError):
    """RAUC is missing, refused, or said something this code cannot read."""


@dataclass(frozen=True, slots=True)
class Slot:
    name: str  # "rootfs.0"
    bootname: str  # "A"
    state: str  # "booted", "active" (primary, not running), "inactive"
    boot_status: str | None  # "good", "bad", or None where RAUC knows nothing
    version: str | None  # the version of the bundle last written here, if any
    installed_at: datetime | None
    install_status: str | None  # "ok" when the last write succeeded


@dataclass(frozen=True, slots=True)
class RaucStatus:
    compatible: str
    booted: str | None  # bootname of the running system
    primary: str | None  # slot name that boots next
    slots: tuple[Slot, ...]

    @property
    def booted_slot(self) -> Slot | None:
        return next((s for s in self.slots if s.bootname == self.booted), None)

    @property
    def primary_slot(self) -> Slot | None:
        return next((s for s in self.slots if s.name == self.primary), None)

    @property
    def last_installed(self) -> Slot | None:
        """The system most recently written by an update, if any was."""
        written = [s for s in self.slots if s.installed_at is not None]
        return max(written, key=lambda s: s.installed_at or datetime.min) if written else None


def _when(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_status(data: Mapping[str, Any]) -> RaucStatus:
    """RaucStatus from `rauc status --output-format=json --detailed`; RaucError if malformed."""
    try:
        slots = []
        for entry in data["slots"]:
            for name, info in entry.items():
                if info.get("class") != ROOT_CLASS:
                    continue
                status = info.get("slot_status") or {}
                bundle = status.get("bundle") or {}
                installed = status.get("installed") or {}
                slots.append(
                    Slot(
                        name=name,
                        bootname=info.get("bootname") or "",
                        state=info.get("state") or "",
                        boot_status=info.get("boot_status"),
                        version=bundle.get("version"),
                        installed_at=_when(installed.get("timestamp")),
                        install_status=status.get("status"),
                    )
                )
        return RaucStatus(
            compatible=data.get("compatible") or "",
            booted=data.get("booted") or None,
            primary=data.get("boot_primary") or None,
            slots=tuple(sorted(slots, key=lambda s: s.name)),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise RaucError(f"rauc status printed something unexpected: {exc!r}") from exc


class Rauc(Protocol):
    """What the device asks of its updater."""

    def status(self) -> RaucStatus: ...
    def mark(self, mark: Mark, which: Which = "booted") -> None: ...
    def install(self, bundle: Path) -> None: ...


class SystemRauc:
    """The `rauc` command line (which talks to rauc.service over D-Bus)."""

    def __init__(self, command: Sequence[str] = ("rauc",), timeout_s: float = 30.0) -> None:
        self._command = tuple(command)
        self._timeout = timeout_s

    def _run(self, *args: str, timeout: float | None = None) -> str:
        try:
            done = subprocess.run(
                [*self._command, *args],
                capture_output=True,
                text=True,
                timeout=timeout or self._timeout,
                check=False,
            )
        except FileNotFoundError:
            raise RaucError("rauc is not installed: this is not the A/B image") from None
        except subprocess.TimeoutExpired:
            raise RaucError(f"rauc {args[0]} did not answer in time") from None
        if done.returncode != 0:
            why = (done.stderr or done.stdout).strip().splitlines()
            raise RaucError(f"rauc {args[0]} failed: {why[-1] if why else done.returncode}")
        return done.stdout

    def status(self) -> RaucStatus:
        out = self._run("status", "--output-format=json", "--detailed")
        try:
            return parse_status(json.loads(out))
        except json.JSONDecodeError as exc:
            raise RaucError(f"rauc status printed no JSON: {exc}") from exc

    def mark(self, mark: Mark, which: Which = "booted") -> None:
        self._run("status", f"mark-{mark}", which)

    def install(self, bundle: Path) -> None:
        # Writing a whole system to an SD card takes minutes.
        self._run("install", str(bundle), timeout=1800)
