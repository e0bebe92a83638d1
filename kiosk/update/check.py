"""kiosk-health's loop: look, decide (health.decide), and tell RAUC; the probes are Protocols."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kiosk.update.health import Decision, Seen, Verdict, decide
from kiosk.update.rauc import Rauc, RaucError
from kiosk.update.record import concluded, load_record, save_record, settle

log = logging.getLogger(__name__)


class Probe(Protocol):
    """How the device looks at itself."""

    def app_up(self) -> bool: ...
    def agent_ready(self) -> bool: ...
    def db_opened(self) -> bool: ...


class Machine(Protocol):
    def reboot(self) -> None: ...
    def reboot_to_trial(self) -> None: ...


@dataclass(frozen=True, slots=True)
class CheckResult:
    decision: Decision
    seen: Seen | None
    marked: str | None  # what RAUC was told ("good", "bad"), if anything
    came_back: bool  # this boot found an update that had been rolled back


def run_check(
    rauc: Rauc,
    probe: Probe,
    machine: Machine,
    data_dir: Path,
    *,
    mark: bool,
    max_attempts: int,
    every_s: float,
    sleep: Callable[[float], None],
    now: Callable[[], str],
) -> CheckResult:
    """Look up to `max_attempts` times, `every_s` apart; with `mark`, act on the decision."""
    try:
        booted = rauc.status().booted
    except RaucError as exc:
        log.info("no A/B slots: %s", exc)
        seen = _seen(probe, None, False, 1, 1)
        return CheckResult(decide(seen), seen, None, False)
    settled = settle(load_record(data_dir), booted, now())
    if mark:
        save_record(data_dir, settled.record)  # "tried" is on disk before anything can hang
        if settled.came_back:
            # The trial is over: disarm it, so no later tryboot starts that system again.
            rauc.mark("bad", "other")
    attempts = 0
    while True:
        attempts += 1
        seen = _seen(probe, booted, settled.trial, attempts, max_attempts)
        decision = decide(seen)
        log.info("health: %s (%s)", decision.verdict, decision.reason)
        if decision.verdict is not Verdict.WAIT:
            break
        sleep(every_s)
    marked = None
    if mark and decision.verdict is Verdict.MARK_GOOD:
        rauc.mark("good", "booted")
        marked = "good"
        save_record(data_dir, concluded(settled.record, True, now(), decision.reason))
    elif mark and decision.verdict is Verdict.MARK_BAD:
        rauc.mark("bad", "booted")
        marked = "bad"
        save_record(data_dir, concluded(settled.record, False, now(), decision.reason))
        machine.reboot()  # into the previous system, the firmware's default again
    return CheckResult(decision, seen, marked, settled.came_back)


def _seen(probe: Probe, booted: str | None, trial: bool, attempts: int, most: int) -> Seen:
    return Seen(
        app_up=probe.app_up(),
        agent_ready=probe.agent_ready(),
        db_opened=probe.db_opened(),
        booted=booted,
        trial=trial,
        attempts=attempts,
        max_attempts=most,
    )
