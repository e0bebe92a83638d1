"""Is this boot good? The decision kiosk-health acts on, as a pure function of what it saw.

A slot on trial (the first boot of a system an update just wrote) is marked good as soon as the
till is up, the agent is ready and the database opens; if they are not all up after the allowed
attempts, it is marked bad and the device reboots into the previous system. A slot that is not
on trial (the known-good one, or the first boot after flashing) is never marked bad: there is
nothing better to go back to, and rolling back a healthy system because a shop's store is down
would be worse than waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    MARK_GOOD = "mark-good"  # keep this system: `rauc status mark-good booted`
    WAIT = "wait"  # look again shortly
    MARK_BAD = "mark-bad"  # `rauc status mark-bad booted`, then reboot into the other one
    LEAVE = "leave"  # nothing to mark (no A/B slots, or not up on the known-good system)


@dataclass(frozen=True, slots=True)
class Seen:
    """What one look at the device found."""

    app_up: bool  # kiosk-ui sent READY=1: the sale screen is drawn
    agent_ready: bool  # kiosk-agent sent READY=1: its engine runs
    db_opened: bool  # `kiosk status` opened the database as the kiosk user
    booted: str | None  # bootname RAUC says is running; None without A/B slots
    trial: bool  # this is the first boot of the system an update installed
    attempts: int  # looks taken so far this boot, this one included
    max_attempts: int


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    reason: str


def missing(seen: Seen) -> list[str]:
    """What is not up yet, in words."""
    return [
        words
        for ok, words in (
            (seen.app_up, "the till did not come up"),
            (seen.agent_ready, "the agent is not ready"),
            (seen.db_opened, "the database did not open"),
        )
        if not ok
    ]


def decide(seen: Seen) -> Decision:
    if seen.booted is None:
        return Decision(Verdict.LEAVE, "this device has no A/B system slots")
    gaps = missing(seen)
    if not gaps:
        return Decision(Verdict.MARK_GOOD, f"system {seen.booted} is up: till, agent, database")
    what = "; ".join(gaps)
    if seen.attempts < seen.max_attempts:
        return Decision(Verdict.WAIT, f"waiting ({seen.attempts} of {seen.max_attempts}): {what}")
    if seen.trial:
        return Decision(
            Verdict.MARK_BAD, f"the update to system {seen.booted} is rolled back: {what}"
        )
    return Decision(
        Verdict.LEAVE,
        f"system {seen.booted} is the known-good one, kept although {what}",
    )
