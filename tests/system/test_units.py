"""system/systemd, sysusers.d and tmpfiles.d: systemd's own tools accept them, and they say what
the appliance relies on (hardened, watchdogged, restarted, commented)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

SYSTEM = Path(__file__).resolve().parents[2] / "system"
UNITS = sorted(
    p for p in (SYSTEM / "systemd" / "system").iterdir() if p.suffix in (".service", ".path")
)
HOST_UNITS = Path("/lib/systemd/system")
# What the units run, made as stand-ins in the test root (systemd-analyze checks they exist).
EXECUTABLES = (
    "opt/kiosk/bin/kiosk",
    "usr/bin/cage",
    "usr/bin/rm",
    "usr/bin/shred",
    "usr/bin/systemctl",
    "usr/bin/touch",
    "usr/lib/kiosk/grow-data",
)

needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None or not HOST_UNITS.is_dir(),
    reason="systemd is not installed (make deps-debian installs it)",
)


def unit(path: Path) -> configparser.ConfigParser:
    """The unit as systemd reads it: repeated keys kept (joined by newlines), case kept."""
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]

    class MultiDict(dict[str, str]):
        def __setitem__(self, key: str, value: str) -> None:
            if key in self and isinstance(value, list) and isinstance(self[key], list):
                self[key].extend(value)  # type: ignore[attr-defined]
            else:
                super().__setitem__(key, value)

    parser._dict = MultiDict  # type: ignore[attr-defined]
    parser.read_string(path.read_text())
    return parser


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with the host's units, ours beside them, and stand-ins for what ours run."""
    base = tmp_path_factory.mktemp("root")
    units = base / "usr/lib/systemd/system"
    shutil.copytree(HOST_UNITS, units, symlinks=True)
    for path in UNITS:
        shutil.copy(path, units / path.name)
    for exe in EXECUTABLES:
        target = base / exe
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("#!/bin/sh\n")
        target.chmod(0o755)
    return base


def test_the_units_are_there() -> None:
    assert [p.name for p in UNITS] == [
        "kiosk-agent.service",
        "kiosk-firstboot.service",
        "kiosk-growdata.service",
        "kiosk-health.service",
        "kiosk-reset.path",
        "kiosk-reset.service",
        "kiosk-ui.service",
    ]


@needs_systemd
@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_systemd_analyze_verify_finds_nothing_to_say(root: Path, path: Path) -> None:
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={root}", path.name],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # It exits 0 on an unknown key and only warns: any output at all is a finding.
    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == ""


@needs_systemd
def test_verify_would_catch_a_misspelt_key(root: Path) -> None:
    broken = root / "usr/lib/systemd/system/kiosk-broken.service"
    broken.write_text(
        (SYSTEM / "systemd/system/kiosk-agent.service")
        .read_text()
        .replace("ProtectHome=", "ProtectHomee=")
    )
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={root}", broken.name],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Unknown key 'ProtectHomee'" in done.stderr


@pytest.mark.parametrize("name", ["kiosk-ui.service", "kiosk-agent.service"])
def test_the_till_and_the_agent_are_watchdogged_restarted_and_hardened(name: str) -> None:
    s = unit(SYSTEM / "systemd/system" / name)["Service"]
    assert s["Type"] == "notify"
    assert s["WatchdogSec"] == "30s"
    assert s["Restart"] == "always"
    assert s["User"] == "kiosk"
    assert s["Environment"].count("KIOSK_DATA_DIR=/var/lib/kiosk") == 1
    assert s["ProtectSystem"] == "strict"
    assert s["ReadWritePaths"].split()[0] == "/var/lib/kiosk"
    assert s["NoNewPrivileges"] == "yes"
    assert s["PrivateTmp"] == "yes"
    assert s["ProtectHome"] == "yes"
    assert s["CapabilityBoundingSet"] == ""  # no capability at all
    assert {"AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK"} == set(
        s["RestrictAddressFamilies"].split()
    )
    assert unit(SYSTEM / "systemd/system" / name)["Unit"]["StartLimitIntervalSec"] == "0"


def test_the_till_runs_under_cage_on_tty1_on_wayland() -> None:
    u = unit(SYSTEM / "systemd/system/kiosk-ui.service")
    s = u["Service"]
    assert s["ExecStart"].startswith("/usr/bin/cage ")
    assert s["ExecStart"].endswith("-- /opt/kiosk/bin/kiosk ui --fullscreen")
    assert " -s " not in s["ExecStart"]  # no VT switching away from the till
    assert s["TTYPath"] == "/dev/tty1"
    assert s["PAMName"] == "login"
    assert s["NotifyAccess"] == "all"  # the app is cage's child
    assert "SDL_VIDEODRIVER=wayland" in s["Environment"]
    assert "DISPLAY=" not in s["Environment"].replace("WAYLAND_DISPLAY", "")  # no X
    assert u["Unit"]["Conflicts"] == "getty@tty1.service"


def test_firstboot_runs_only_with_the_file_and_scrubs_it_after_success() -> None:
    u = unit(SYSTEM / "systemd/system/kiosk-firstboot.service")
    assert u["Unit"]["ConditionPathExists"] == "/boot/firmware/kiosk.toml"
    assert "kiosk-agent.service" in u["Unit"]["Before"]
    s = u["Service"]
    assert s["Type"] == "oneshot"
    assert s["ExecStart"] == "/opt/kiosk/bin/kiosk provision --file /boot/firmware/kiosk.toml"
    # ExecStartPost runs only after ExecStart succeeded: a failed try keeps the file.
    assert s["ExecStartPost"] == "+/usr/bin/shred --zero --remove /boot/firmware/kiosk.toml"
    assert s["User"] == "kiosk"


def test_health_checks_after_both_services_and_marks() -> None:
    u = unit(SYSTEM / "systemd/system/kiosk-health.service")
    assert {"kiosk-ui.service", "kiosk-agent.service"} <= set(u["Unit"]["After"].split())
    assert u["Service"]["ExecStart"] == "/opt/kiosk/bin/kiosk update check --mark --wait 120"
    assert u["Unit"]["ConditionPathExists"] == "/etc/rauc/system.conf"


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_every_line_is_explained_by_a_comment_close_above_it(path: Path) -> None:
    lines = path.read_text().splitlines()
    assert lines[0].startswith("# Installed as /usr/lib/systemd/system/")
    last_comment = -100
    for n, line in enumerate(lines):
        if line.startswith("#"):
            last_comment = n
        elif "=" in line:
            assert n - last_comment <= 8, f"{path.name}:{n + 1}: {line!r} has no comment near it"


def test_journald_keeps_logs_across_reboots_within_a_cap() -> None:
    j = unit(SYSTEM / "systemd/journald.conf.d/50-kiosk.conf")["Journal"]
    assert j["Storage"] == "persistent"
    assert j["SystemMaxUse"] == "200M"
    assert j["SystemKeepFree"]


def test_the_hardware_watchdog_is_on() -> None:
    m = unit(SYSTEM / "systemd/system.conf.d/50-kiosk-watchdog.conf")["Manager"]
    assert m["RuntimeWatchdogSec"] == "15s"


@needs_systemd
def test_sysusers_and_tmpfiles_make_the_user_its_groups_and_the_data_folder(
    tmp_path: Path,
) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    # A root with only the base system's users and groups (as debootstrap makes them).
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (etc / "group").write_text(
        "root:x:0:\ndialout:x:20:\nvideo:x:44:\ninput:x:101:\nrender:x:102:\n"
        "systemd-journal:x:999:\n"
    )
    (etc / "shadow").write_text("root:*:19000:0:99999:7:::\n")
    (etc / "gshadow").write_text("root:*::\n")
    for kind in ("sysusers.d", "tmpfiles.d"):
        target = tmp_path / "usr/lib" / kind
        target.mkdir(parents=True)
        shutil.copy(SYSTEM / kind / "kiosk.conf", target / "kiosk.conf")
    subprocess.run(["systemd-sysusers", f"--root={tmp_path}"], check=True, capture_output=True)
    passwd = (etc / "passwd").read_text().splitlines()
    users = {line.split(":")[0]: line.split(":") for line in passwd}
    assert users["kiosk"][5:] == ["/var/lib/kiosk", "/usr/sbin/nologin"]
    groups = {g.split(":")[0]: g.split(":")[3] for g in (etc / "group").read_text().splitlines()}
    for group in ("input", "dialout", "video", "render"):
        assert "kiosk" in groups[group].split(","), group
    subprocess.run(
        ["systemd-tmpfiles", f"--root={tmp_path}", "--create", "kiosk.conf"],
        check=True,
        capture_output=True,
    )
    data = (tmp_path / "var/lib/kiosk").stat()
    assert oct(data.st_mode & 0o7777) == "0o750"
    assert data.st_uid == int(users["kiosk"][2])
