"""kiosk-provisioned.txt beside the file: what a provisioning run applied and what failed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from kiosk.provisioning.apply import Outcome, Step
from kiosk.provisioning.schema import Problem
from kiosk.provisioning.scrub import write_atomic

REPORT_NAME = "kiosk-provisioned.txt"


def report_path(source: Path) -> Path:
    return source.with_name(REPORT_NAME)


def render(
    source: Path,
    at: datetime,
    *,
    steps: Sequence[Step] = (),
    problems: Sequence[Problem] = (),
    notes: Sequence[str] = (),
    device: str = "",
) -> str:
    """The report's text: a verdict line, then one line per problem or step, then the notes."""
    head = [f"kiosk provision --file {source}", f"at {at.isoformat(timespec='seconds')}"]
    if device:
        head.append(f"device: {device}")
    if problems:
        body = [
            f"NOT APPLIED: the file has {len(problems)} problem(s); nothing was changed.",
            "Fix each of these and run it again:",
            *(f"  - {p}" for p in problems),
        ]
    else:
        failed = [s for s in steps if s.outcome is Outcome.FAILED]
        left = [s for s in steps if s.outcome is Outcome.LEFT]
        verdict = (
            "DONE: everything was applied."
            if not failed
            else (
                f"INCOMPLETE: {len(failed)} step(s) failed; fix them in the file and run it again "
                "(what was done stays done)."
            )
        )
        if left and not failed:
            verdict = f"DONE, with {len(left)} step(s) left to do as they say."
        body = [verdict, *(f"  {s.name}: {s.outcome.value} - {s.detail}" for s in steps)]
    tail = ["", "Notes:", *(f"  - {n}" for n in notes)] if notes else []
    return "\n".join([*head, "", *body, *tail]) + "\n"


def write_report(source: Path, text: str) -> Path:
    path = report_path(source)
    write_atomic(path, text)
    return path
