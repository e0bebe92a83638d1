"""The real probes and reboots behind kiosk.update.check's Protocols (systemd, the kiosk user)."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

KIOSK_USER = "kiosk"


def _run(
    argv: list[str], *, timeout: float, user: str | None = None, env: dict[str, str] | None = None
) -> bool:
    try:
        done = subprocess.run(
            argv, capture_output=True, timeout=timeout, check=False, user=user, env=env
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


class SystemProbe:
    """kiosk-ui and kiosk-agent are Type=notify: "active" means they sent READY=1."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir

    def _active(self, unit: str) -> bool:
        return _run(["systemctl", "is-active", "--quiet", unit], timeout=10)

    def app_up(self) -> bool:
        return self._active("kiosk-ui.service")

    def agent_ready(self) -> bool:
        return self._active("kiosk-agent.service")

    def db_opened(self) -> bool:
        """`kiosk status` opens the database as the services do: as the kiosk user when we are
        root (so nothing in the data folder ends up owned by root), with this installation."""
        user = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(KIOSK_USER)
                user = KIOSK_USER
            except KeyError:
                user = None
        env = {**os.environ, "KIOSK_DATA_DIR": str(self._data_dir)}
        argv = [sys.executable, "-m", "kiosk", "status", "--json"]
        return _run(argv, timeout=60, user=user, env=env)


class SystemMachine:
    def reboot(self) -> None:
        """Reboot into the firmware's default system (the known-good one)."""
        subprocess.run(["systemctl", "reboot"], check=False, timeout=30)

    def reboot_to_trial(self) -> None:
        """Reboot once into the system an update just wrote (the firmware's one-shot tryboot)."""
        subprocess.run(["systemctl", "reboot", "0 tryboot"], check=False, timeout=30)
