"""system/rauc/kiosk-tryboot, RAUC's backend for the Pi firmware's A/B boot: its transitions on
autoboot.txt by hand, then driven by the real RAUC (1.8) on a private D-Bus, as on the device."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.update.rauc import SystemRauc

REPO = Path(__file__).resolve().parents[2]
BACKEND = REPO / "system/rauc/kiosk-tryboot"


def autoboot(default: int, trial: int) -> str:
    return f"[all]\ntryboot_a_b=1\nboot_partition={default}\n[tryboot]\nboot_partition={trial}\n"


class Board:
    """The files the backend reads and writes: autoboot.txt, the bad list, /proc/cmdline."""

    def __init__(self, tmp: Path, running: str = "A") -> None:
        self.dir = tmp
        (tmp / "autoboot.txt").write_text(autoboot(2, 2))
        self.boot(running)

    def boot(self, slot: str) -> None:
        (self.dir / "cmdline").write_text(f"console=serial0 rootwait rauc.slot={slot}\n")

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "KIOSK_AUTOBOOT": str(self.dir / "autoboot.txt"),
            "KIOSK_TRYBOOT_BAD": str(self.dir / "data/tryboot-bad"),
            "KIOSK_CMDLINE": str(self.dir / "cmdline"),
        }

    def __call__(self, *args: str) -> str:
        done = subprocess.run(
            [str(BACKEND), *args], env=self.env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    @property
    def autoboot(self) -> str:
        return (self.dir / "autoboot.txt").read_text()


def test_an_update_is_tried_once_then_kept(tmp_path: Path) -> None:
    b = Board(tmp_path)
    assert b("get-primary") == "A"
    assert b("get-current") == "A"
    b("set-primary", "B")  # rauc install, done
    assert b.autoboot == autoboot(2, 3)  # armed: `reboot "0 tryboot"` starts B once
    assert b("get-primary") == "B"
    b.boot("B")
    b("set-state", "B", "good")  # kiosk-health, on B
    assert b.autoboot == autoboot(3, 3)  # every boot is B from now on
    assert b("get-state", "B") == "good"


def test_a_bad_trial_is_disarmed_and_the_old_system_stays_the_default(tmp_path: Path) -> None:
    b = Board(tmp_path)
    b("set-primary", "B")
    b.boot("B")
    b("set-state", "B", "bad")
    assert b.autoboot == autoboot(2, 2)
    assert b("get-state", "B") == "bad"
    assert b("get-primary") == "A"
    # Marking good a slot that is not running changes no boot order.
    b.boot("A")
    b("set-state", "B", "good")
    assert b.autoboot == autoboot(2, 2)


def test_nonsense_is_refused_in_words(tmp_path: Path) -> None:
    b = Board(tmp_path)
    done = subprocess.run(
        [str(BACKEND), "set-primary", "C"], env=b.env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "unknown slot 'C'" in done.stderr
    (tmp_path / "cmdline").write_text("console=serial0\n")
    done = subprocess.run([str(BACKEND), "get-current"], env=b.env, capture_output=True, text=True)
    assert "no rauc.slot=" in done.stderr


# -- the real RAUC ------------------------------------------------------------------------------

real = pytest.mark.skipif(
    os.geteuid() != 0
    or not all(shutil.which(t) for t in ("rauc", "dbus-daemon", "unshare", "mount")),
    reason="needs root, rauc, dbus-daemon and unshare (make deps-debian)",
)

BUS = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path={path}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/>
<allow receive_sender="*"/></policy></busconfig>"""


@pytest.fixture
def rauc_service(tmp_path: Path) -> Iterator[tuple[Board, dict[str, str]]]:
    """rauc.service on a private system bus, with system.conf's slots and our backend, and
    /proc/cmdline (where RAUC looks for rauc.slot=) bound to the board's in its own namespace."""
    board = Board(tmp_path)
    wrapper = tmp_path / "backend"
    env_lines = "".join(f"export {k}={v}\n" for k, v in board.env.items() if k.startswith("KIOSK_"))
    wrapper.write_text(f'#!/bin/bash\n{env_lines}exec {BACKEND} "$@"\n')
    wrapper.chmod(0o755)
    conf = (REPO / "system/rauc/system.conf").read_text()
    conf = conf.replace("/usr/lib/rauc/kiosk-tryboot", str(wrapper))
    conf = conf.replace("/var/lib/kiosk/rauc", str(tmp_path / "data"))
    conf = conf.replace("/run/rauc", str(tmp_path / "mnt"))
    conf = conf.replace("/etc/rauc/keyring.pem", str(tmp_path / "keyring.pem"))
    (tmp_path / "keyring.pem").write_text("")
    (tmp_path / "system.conf").write_text(conf)
    bus = tmp_path / "bus"
    (tmp_path / "bus.conf").write_text(BUS.format(path=bus))
    daemon = subprocess.Popen(
        ["dbus-daemon", f"--config-file={tmp_path / 'bus.conf'}", "--nofork"],
        stdout=subprocess.DEVNULL,
    )
    env = {**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={bus}"}
    service: subprocess.Popen[bytes] | None = None
    try:
        for _ in range(100):
            if bus.exists():
                break
            time.sleep(0.05)
        script = (
            f"mount --bind {tmp_path / 'cmdline'} /proc/cmdline && "
            f"exec rauc --conf={tmp_path / 'system.conf'} service"
        )
        service = subprocess.Popen(
            ["unshare", "-m", "bash", "-c", script], env=env, stderr=subprocess.DEVNULL
        )
        for _ in range(100):
            done = subprocess.run(
                ["rauc", "status", "--output-format=json"], env=env, capture_output=True
            )
            if done.returncode == 0:
                break
            time.sleep(0.1)
        yield board, env
    finally:
        for proc in (service, daemon):
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=10)


@real
def test_real_rauc_reads_the_slots_and_marks_through_the_backend(
    rauc_service: tuple[Board, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    board, env = rauc_service
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", env["DBUS_SYSTEM_BUS_ADDRESS"])
    rauc = SystemRauc()
    status = rauc.status()
    assert status.compatible == "universal-offline-pos-rpi-arm64"
    assert status.booted == "A"
    assert [s.bootname for s in status.slots] == ["A", "B"]
    # What `rauc install` does last: the other system made primary (the trial armed).
    subprocess.run(["rauc", "status", "mark-active", "other"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    assert board.autoboot == autoboot(2, 3)
    assert rauc.status().primary == "rootfs.1"
    # The health check on the old system after a failed trial: disarm it.
    rauc.mark("bad", "other")
    assert board.autoboot == autoboot(2, 2)
    after = rauc.status()
    assert after.primary == "rootfs.0"
    assert next(s for s in after.slots if s.bootname == "B").boot_status == "bad"
    rauc.mark("good", "booted")
    assert json.loads(
        subprocess.run(["rauc", "status", "--output-format=json"], env=env, capture_output=True,
                       check=True).stdout
    )["booted"] == "A"  # fmt: skip
