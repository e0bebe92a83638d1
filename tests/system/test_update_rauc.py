"""kiosk.update.rauc: RAUC's real JSON read (tests/fixtures/rauc, recorded from RAUC 1.8), and
the command line driven through a stand-in `rauc`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.update.rauc import RaucError, SystemRauc, parse_status

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rauc"


def fixture(name: str) -> dict[str, object]:
    data = json.loads((FIXTURES / name).read_text())
    assert isinstance(data, dict)
    return data


def test_after_an_install_the_other_system_is_primary_with_its_version() -> None:
    s = parse_status(fixture("installed-A.json"))
    assert s.compatible == "universal-offline-pos-rpi-arm64"
    assert s.booted == "A"
    assert [slot.bootname for slot in s.slots] == ["A", "B"]  # only root slots, in order
    assert s.booted_slot is not None
    assert s.booted_slot.version is None
    assert s.primary_slot is not None
    assert s.primary_slot.bootname == "B"
    last = s.last_installed
    assert last is not None
    assert (last.bootname, last.version, last.install_status) == ("B", "0.2.0", "ok")
    assert last.installed_at == datetime(2026, 12, 3, 16, 29, 19, tzinfo=UTC)


def test_on_trial_and_after_mark_good_the_new_system_runs() -> None:
    for name in ("trial-B.json", "good-B.json"):
        s = parse_status(fixture(name))
        assert s.booted == "B"
        assert s.booted_slot is not None
        assert (s.booted_slot.state, s.booted_slot.version) == ("booted", "0.2.0")


def test_a_rolled_back_system_is_bad_and_the_old_one_primary() -> None:
    s = parse_status(fixture("rolledback-A.json"))
    assert s.booted == "A"
    assert s.primary_slot is not None
    assert s.primary_slot.bootname == "A"
    b = next(slot for slot in s.slots if slot.bootname == "B")
    assert b.boot_status == "bad"


def test_something_else_is_refused_in_words() -> None:
    with pytest.raises(RaucError, match="unexpected"):
        parse_status({"compatible": "x"})


def stand_in(tmp_path: Path, body: str) -> SystemRauc:
    exe = tmp_path / "rauc"
    exe.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/calls\n{body}\n')
    exe.chmod(0o755)
    return SystemRauc((str(exe),))


def test_the_command_line_is_called_as_rauc_documents(tmp_path: Path) -> None:
    text = (FIXTURES / "good-B.json").read_text()
    (tmp_path / "status.json").write_text(text)
    answer = f'[ "$1 $2" = "status --output-format=json" ] && cat {tmp_path}/status.json; exit 0'
    rauc = stand_in(tmp_path, answer)
    assert rauc.status().booted == "B"
    rauc.mark("good", "booted")
    rauc.mark("bad", "other")
    rauc.install(tmp_path / "update.raucb")
    assert (tmp_path / "calls").read_text().splitlines() == [
        "status --output-format=json --detailed",
        "status mark-good booted",
        "status mark-bad other",
        f"install {tmp_path}/update.raucb",
    ]


def test_a_refusal_says_rauc_s_last_words(tmp_path: Path) -> None:
    rauc = stand_in(tmp_path, 'echo "LastError: Failed mounting bundle" >&2; exit 1')
    with pytest.raises(RaucError, match="rauc install failed: LastError: Failed mounting bundle"):
        rauc.install(tmp_path / "x.raucb")


def test_no_rauc_at_all_is_said_plainly(tmp_path: Path) -> None:
    with pytest.raises(RaucError, match="not the A/B image"):
        SystemRauc((str(tmp_path / "absent"),)).status()
