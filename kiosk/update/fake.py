"""Fakes for kiosk.update's Protocols: a RAUC with slots in memory, probes and a reboot that
only count."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kiosk.update.rauc import Mark, RaucError, RaucStatus, Slot, Which


def two_slots(booted: str = "A", version: str | None = None) -> RaucStatus:
    """A freshly flashed device: A and B, `booted` running, nothing installed by an update."""
    slots = tuple(
        Slot(f"rootfs.{i}", name, "booted" if name == booted else "inactive", "good",
             version if name == booted else None, None, None)
        for i, name in enumerate("AB")
    )  # fmt: skip
    return RaucStatus(
        "universal-offline-pos-rpi-arm64", booted, f"rootfs.{'AB'.index(booted)}", slots
    )


@dataclass
class FakeRauc:
    """RAUC as the device sees it; `install` writes `next_version` into the other slot."""

    state: RaucStatus | None = field(default_factory=two_slots)
    next_version: str = "0.2.0"
    marks: list[tuple[Mark, Which]] = field(default_factory=list)
    installed: list[Path] = field(default_factory=list)
    fail_install: str = ""

    def status(self) -> RaucStatus:
        if self.state is None:
            raise RaucError("rauc is not installed: this is not the A/B image")
        return self.state

    def mark(self, mark: Mark, which: Which = "booted") -> None:
        self.marks.append((mark, which))
        state = self.status()
        booted = state.booted_slot
        target = next(s for s in state.slots if (s is booted) == (which == "booted"))
        slots = tuple(
            dataclasses.replace(s, boot_status=mark) if s is target else s for s in state.slots
        )
        self.state = dataclasses.replace(state, slots=slots)

    def install(self, bundle: Path) -> None:
        if self.fail_install:
            raise RaucError(f"rauc install failed: {self.fail_install}")
        self.installed.append(bundle)
        state = self.status()
        other = next(s for s in state.slots if s.bootname != state.booted)
        written = dataclasses.replace(
            other, state="active", boot_status="good", version=self.next_version,
            installed_at=datetime.now(UTC), install_status="ok",
        )  # fmt: skip
        slots = tuple(written if s is other else s for s in state.slots)
        self.state = dataclasses.replace(state, primary=other.name, slots=slots)

    def boot(self, bootname: str) -> None:
        """The device restarted into `bootname`."""
        state = self.status()
        slots = tuple(
            dataclasses.replace(s, state="booted" if s.bootname == bootname else "inactive")
            for s in state.slots
        )
        self.state = dataclasses.replace(state, booted=bootname, slots=slots)


@dataclass
class FakeProbe:
    """Each look pops the next answer from its list; the last answer then stays."""

    app: list[bool] = field(default_factory=lambda: [True])
    agent: list[bool] = field(default_factory=lambda: [True])
    db: list[bool] = field(default_factory=lambda: [True])

    @staticmethod
    def _next(answers: list[bool]) -> bool:
        return answers.pop(0) if len(answers) > 1 else answers[0]

    def app_up(self) -> bool:
        return self._next(self.app)

    def agent_ready(self) -> bool:
        return self._next(self.agent)

    def db_opened(self) -> bool:
        return self._next(self.db)


@dataclass
class FakeMachine:
    reboots: int = 0
    trial_reboots: int = 0

    def reboot(self) -> None:
        self.reboots += 1

    def reboot_to_trial(self) -> None:
        self.trial_reboots += 1
