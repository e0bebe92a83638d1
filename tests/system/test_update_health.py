"""kiosk.update.health.decide: the health check's decisions, as a pure function."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.update.health import Seen, Verdict, decide

UP = Seen(
    app_up=True,
    agent_ready=True,
    db_opened=True,
    booted="B",
    trial=True,
    attempts=1,
    max_attempts=25,
)


def test_all_up_on_trial_is_kept_at_the_first_look() -> None:
    d = decide(UP)
    assert d.verdict is Verdict.MARK_GOOD
    assert "system B is up" in d.reason


def test_all_up_on_the_known_good_system_is_marked_good_too() -> None:
    # Harmless (RAUC's good is idempotent) and it keeps a slot RAUC wrote good.
    assert decide(dataclasses.replace(UP, trial=False)).verdict is Verdict.MARK_GOOD


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("app_up", "the till did not come up"),
        ("agent_ready", "the agent is not ready"),
        ("db_opened", "the database did not open"),
    ],
)
def test_anything_down_waits_while_attempts_remain_and_says_what(field: str, words: str) -> None:
    d = decide(dataclasses.replace(UP, **{field: False}, attempts=24))
    assert d.verdict is Verdict.WAIT
    assert words in d.reason
    assert "24 of 25" in d.reason


@pytest.mark.parametrize("field", ["app_up", "agent_ready", "db_opened"])
def test_a_trial_still_down_at_the_last_attempt_is_rolled_back(field: str) -> None:
    d = decide(dataclasses.replace(UP, **{field: False}, attempts=25))
    assert d.verdict is Verdict.MARK_BAD
    assert d.reason.startswith("the update to system B is rolled back")


def test_the_known_good_system_is_never_marked_bad() -> None:
    # No update to undo (first boot after flashing, or long after one): marking it bad would
    # boot a system that may be empty or older; the shop is better served by the restarts.
    down = dataclasses.replace(UP, app_up=False, agent_ready=False, trial=False, attempts=99)
    d = decide(down)
    assert d.verdict is Verdict.LEAVE
    assert "known-good" in d.reason
    assert "the till did not come up; the agent is not ready" in d.reason


def test_without_ab_slots_there_is_nothing_to_mark() -> None:
    d = decide(dataclasses.replace(UP, booted=None, app_up=False, attempts=99))
    assert d.verdict is Verdict.LEAVE


def test_a_single_look_decides_at_once() -> None:
    # `kiosk update check` without --wait: one look, no waiting.
    d = decide(dataclasses.replace(UP, db_opened=False, attempts=1, max_attempts=1))
    assert d.verdict is Verdict.MARK_BAD
