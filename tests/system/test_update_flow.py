"""An update's life on the fakes: installed, tried, kept or rolled back; refused while orders wait;
and `kiosk update status|check|install` in words."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog_export import load_export
from kiosk.cli import main, update_cmd
from kiosk.cli.demo_cmd import demo_catalog_path
from kiosk.update.check import CheckResult, run_check
from kiosk.update.fake import FakeMachine, FakeProbe, FakeRauc
from kiosk.update.health import Verdict
from kiosk.update.install import UpdateRefused, install_update, refusal
from kiosk.update.rauc import parse_status
from kiosk.update.record import KEPT, ROLLED_BACK, load_record

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rauc"
NOW = "2026-12-03T16:00:00+00:00"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    with sqlite3.connect(d / "kiosk.db") as db:
        db.execute("CREATE TABLE sale (id INTEGER)")
        db.execute("INSERT INTO sale VALUES (42)")
    return d


def check(
    rauc: FakeRauc, probe: FakeProbe, machine: FakeMachine, data_dir: Path, most: int = 3
) -> tuple[CheckResult, list[float]]:
    sleeps: list[float] = []
    result = run_check(
        rauc, probe, machine, data_dir, mark=True, max_attempts=most, every_s=5.0,
        sleep=sleeps.append, now=lambda: NOW,
    )  # fmt: skip
    return result, sleeps


def install(rauc: FakeRauc, data_dir: Path, waiting: int = 0) -> None:
    bundle = data_dir.parent / "update.raucb"
    bundle.write_bytes(b"bundle")
    install_update(
        rauc, bundle, data_dir=data_dir, db_path=data_dir / "kiosk.db",
        waiting=waiting, uploading=0, now=lambda: NOW,
    )  # fmt: skip


def test_an_update_that_comes_up_is_kept(data_dir: Path) -> None:
    rauc, machine = FakeRauc(), FakeMachine()
    install(rauc, data_dir)
    pending = load_record(data_dir).pending
    assert pending is not None
    assert (pending.slot, pending.version) == ("B", "0.2.0")
    # The database was copied before the install, as it was.
    copy = sqlite3.connect(data_dir / "pre-update" / "kiosk.db")
    assert copy.execute("SELECT id FROM sale").fetchall() == [(42,)]
    rauc.boot("B")
    # The till needs two looks to come up.
    result, sleeps = check(rauc, FakeProbe(app=[False, True]), machine, data_dir)
    assert result.decision.verdict is Verdict.MARK_GOOD
    assert rauc.marks == [("good", "booted")]
    assert sleeps == [5.0]
    assert machine.reboots == 0
    record = load_record(data_dir)
    assert record.pending is None
    assert record.last is not None
    assert (record.last.result, record.last.version) == (KEPT, "0.2.0")


def test_an_update_whose_till_never_comes_up_is_rolled_back_and_rebooted(data_dir: Path) -> None:
    rauc, machine = FakeRauc(), FakeMachine()
    install(rauc, data_dir)
    rauc.boot("B")
    result, sleeps = check(rauc, FakeProbe(app=[False]), machine, data_dir, most=4)
    assert result.decision.verdict is Verdict.MARK_BAD
    assert rauc.marks == [("bad", "booted")]
    assert sleeps == [5.0, 5.0, 5.0]
    assert machine.reboots == 1
    last = load_record(data_dir).last
    assert last is not None
    assert last.result == ROLLED_BACK
    assert "the till did not come up" in last.reason


def test_a_trial_that_hung_is_recorded_as_rolled_back_from_the_old_system(data_dir: Path) -> None:
    rauc, machine = FakeRauc(), FakeMachine()
    install(rauc, data_dir)
    rauc.boot("B")

    class Hangs(FakeProbe):
        def app_up(self) -> bool:
            raise SystemExit("power cut")  # the trial boot never gets past here

    with pytest.raises(SystemExit):
        check(rauc, Hangs(), machine, data_dir)
    pending = load_record(data_dir).pending
    assert pending is not None
    assert pending.tried
    rauc.boot("A")  # the firmware's one-shot trial is over: the old system again
    result, _ = check(rauc, FakeProbe(), machine, data_dir)
    assert result.came_back
    # The trial is disarmed, then the old system, healthy, is kept as it was.
    assert rauc.marks == [("bad", "other"), ("good", "booted")]
    assert not result.seen or not result.seen.trial
    last = load_record(data_dir).last
    assert last is not None
    assert last.result == ROLLED_BACK


def test_an_installed_update_waits_for_its_reboot_and_the_old_system_is_never_marked_bad(
    data_dir: Path,
) -> None:
    rauc, machine = FakeRauc(), FakeMachine()
    install(rauc, data_dir)
    result, _ = check(rauc, FakeProbe(agent=[False]), machine, data_dir)
    assert result.decision.verdict is Verdict.LEAVE
    assert rauc.marks == []
    assert machine.reboots == 0
    pending = load_record(data_dir).pending
    assert pending is not None
    assert not pending.tried


def test_the_update_is_refused_while_orders_wait(data_dir: Path) -> None:
    assert refusal(0, 0) is None
    assert (refusal(1, 0) or "").startswith("1 order has not reached")
    assert "3 orders have" in (refusal(2, 1) or "")
    rauc = FakeRauc()
    with pytest.raises(UpdateRefused, match="1 order has not reached the store"):
        install(rauc, data_dir, waiting=1)
    assert rauc.installed == []
    assert load_record(data_dir).pending is None
    assert not (data_dir / "pre-update").exists()


# -- the command --------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    rauc, machine = FakeRauc(), FakeMachine()
    monkeypatch.setattr(update_cmd, "system_rauc", lambda: rauc)
    monkeypatch.setattr(update_cmd, "system_machine", lambda: machine)
    monkeypatch.setattr(update_cmd, "system_probe", lambda _d: FakeProbe())
    data = tmp_path / "cli-data"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run, rauc, machine, data


def test_status_of_a_flashed_device_then_after_an_install_from_rauc_alone(cli: Any) -> None:
    run, rauc, _, _ = cli
    code, out, _ = run("update", "status")
    assert code == 0
    assert "System:      A, version " in out
    assert "(as flashed), boot good" in out
    assert "Last update: none since this card was flashed" in out
    # What RAUC printed after a real `rauc install` (no record of ours: plain rauc install).
    rauc.state = parse_status(json.loads((FIXTURES / "installed-A.json").read_text()))
    code, out, _ = run("update", "status", "--json")
    data = json.loads(out)
    assert data["next_boot"] == "B"
    assert data["last_update"] == {
        "slot": "B", "version": "0.2.0", "result": "installed, starts at the next reboot",
        "at": "2026-12-03T16:29:19+00:00", "reason": "",
    }  # fmt: skip
    rauc.state = parse_status(json.loads((FIXTURES / "rolledback-A.json").read_text()))
    code, out, _ = run("update", "status")
    assert "Last update: 0.2.0 into system B, rolled back" in out


def test_install_is_refused_with_a_sale_waiting_then_done_once_it_is_uploaded(cli: Any) -> None:
    run, rauc, machine, data = cli
    assert run("catalog", "import", str(demo_catalog_path()))[0] == 0
    sku = next(p.sku for p in load_export(demo_catalog_path()).products if p.sellable and p.sku)
    assert run("sale", "--item", sku)[0] == 0
    bundle = data / "update.raucb"
    bundle.write_bytes(b"bundle")
    code, out, _ = run("update", "install", str(bundle))
    assert code == 1
    assert "Not updated: 1 order has not reached the store yet" in out
    assert rauc.installed == []
    # The agent uploads it (here: the outbox row marked synced, as the push does).
    with sqlite3.connect(data / "kiosk.db") as db:
        db.execute("UPDATE outbox SET state = 'synced'")
    code, out, _ = run("update", "install", str(bundle), "--reboot", "--json")
    assert code == 0, out
    assert json.loads(out)["slot"] == "B"
    assert rauc.installed == [bundle]
    assert machine.trial_reboots == 1
    code, out, _ = run("update", "status")
    assert "Last update: 0.2.0 into system B, installed, starts at the next reboot" in out


def test_check_marks_a_healthy_trial_good(cli: Any) -> None:
    run, rauc, _, data = cli
    data.mkdir()
    (data / "update.json").write_text(
        json.dumps({"pending": {"slot": "B", "version": "0.2.0", "installed_at": NOW}})
    )
    rauc.install(data / "x")
    rauc.boot("B")
    code, out, _ = run("update", "check", "--mark", "--json")
    assert code == 0
    d = json.loads(out)
    assert (d["verdict"], d["marked"], d["seen"]["trial"]) == ("mark-good", "good", True)
    code, out, _ = run("update", "status")
    assert "Last update: 0.2.0 into system B, kept on 2026" in out
    assert "System:      B, version 0.2.0, boot good" in out
