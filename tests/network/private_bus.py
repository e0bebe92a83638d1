"""A private D-Bus "system" bus whose NetworkManager is python-dbusmock's `networkmanager` template.

ModemManager is dbusmock too, without a template (Debian's 0.28 has no `modemmanager` one):
its root object alone, to which a test adds modems with AddObject.

The mocks are D-Bus activated: the bus starts it (Debian's python3-dbusmock, under /usr/bin/python3)
on the first call to org.freedesktop.NetworkManager and holds that call until the mock owns the
name, so no test waits or polls for it to come up. The mock quits when the bus goes away.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

NM_SERVICE = """[D-BUS Service]
Name=org.freedesktop.NetworkManager
Exec=/usr/bin/python3 -m dbusmock --system --template networkmanager --logfile {log}
"""

MM_SERVICE = (
    "[D-BUS Service]\n"
    "Name=org.freedesktop.ModemManager1\n"
    "Exec=/usr/bin/python3 -m dbusmock --system --logfile {log} org.freedesktop.ModemManager1"
    " /org/freedesktop/ModemManager1 org.freedesktop.DBus.ObjectManager\n"
)


class PrivateBus:
    """A dbus-daemon on a socket in `root`, started by `start()` and stopped by `stop()`.

    The socket path is fixed, so the bus can be stopped and started again at the same address
    (a D-Bus restart, as the device would see it).
    """

    def __init__(self, root: Path) -> None:
        self.socket = root / "bus"
        self.address = f"unix:path={self.socket}"
        self._config = root / "bus.conf"
        services = root / "services"
        services.mkdir(exist_ok=True)
        # The mock logs every call; to a file, as its stdout is the pipe we read the address from.
        (services / "org.freedesktop.NetworkManager.service").write_text(
            NM_SERVICE.format(log=root / "nm-mock.log")
        )
        (services / "org.freedesktop.ModemManager1.service").write_text(
            MM_SERVICE.format(log=root / "mm-mock.log")
        )
        self._config.write_text(BUS_CONFIG.format(socket=self.socket, services=services))
        self._log = root / "dbus-daemon.log"
        self._daemon: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # The activated mock inherits the daemon's environment: that is how it finds this bus.
        env = {**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": self.address}
        with self._log.open("ab") as log:
            daemon = subprocess.Popen(
                ["dbus-daemon", f"--config-file={self._config}", "--nofork", "--print-address=1"],
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
            )
        assert daemon.stdout is not None
        # The daemon prints its address once it listens: that line is the "ready" signal.
        with daemon.stdout:
            ready = daemon.stdout.readline()
        if not ready:
            daemon.wait()
            raise RuntimeError(f"dbus-daemon did not start: {self._log.read_text()}")
        self._daemon = daemon

    def activation(self, on: bool) -> None:
        """Let the bus start NetworkManager on demand, or not (its service then fails to spawn,
        as while NetworkManager restarts). Takes effect at the bus's next ReloadConfig."""
        service = NM_SERVICE.format(log=self._log.parent / "nm-mock.log")
        if not on:
            service = service.split("Exec=", 1)[0] + "Exec=/bin/false\n"
        (self._config.parent / "services" / "org.freedesktop.NetworkManager.service").write_text(
            service
        )

    def stop(self) -> None:
        if self._daemon is None:
            return
        daemon, self._daemon = self._daemon, None
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=10)
