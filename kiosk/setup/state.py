"""Where the setup wizard is: its step and what each finished step was given, on disk.

Written whole after every step (temporary file, fsync, rename), so a power cut or a kill leaves
the last finished step's state and the wizard resumes at the step after it. Secrets never go
here: a step that takes keys or PINs saves them where they belong (the 0600 secrets file, the
staff accounts) and records only that it is done.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.reset.wipe import SETUP_STATE


@dataclass
class WizardState:
    step: str  # the step to show next
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # step -> non-secret input
    tests: dict[str, bool] = field(default_factory=dict)  # hardware test -> passed
    finished: bool = False


def state_path(data_dir: Path) -> Path:
    return data_dir / SETUP_STATE


def load_state(data_dir: Path, first: str) -> WizardState:
    """The saved state; a fresh one at `first` when there is none or it cannot be read."""
    try:
        data = json.loads(state_path(data_dir).read_text())
        return WizardState(
            step=str(data["step"]),
            values=dict(data.get("values", {})),
            tests=dict(data.get("tests", {})),
            finished=bool(data.get("finished", False)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return WizardState(first)


def save_state(data_dir: Path, state: WizardState) -> None:
    path = state_path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    text = json.dumps(
        {
            "step": state.step,
            "values": state.values,
            "tests": state.tests,
            "finished": state.finished,
        },
        indent=2,
    )
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
