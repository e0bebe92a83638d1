"""systemd's notify protocol, with the standard library only: READY=1 and the watchdog's WATCHDOG=1.

What it relies on (sd_notify(3), systemd.service(5)): a service started with Type=notify gets
$NOTIFY_SOCKET, the path of a datagram socket (a leading "@" means the abstract namespace); each
message is one datagram of newline-separated KEY=VALUE lines. With WatchdogSec= set, systemd
passes $WATCHDOG_USEC and $WATCHDOG_PID and kills the service when WATCHDOG=1 stops arriving
within that time; sd_watchdog_enabled(3) says to ping at half the interval. Outside systemd
(a laptop, the tests without a socket) every call does nothing.

The pings are sent from the process's own event loop (the agent's asyncio loop, the app's Kivy
clock): a loop that wedges stops pinging, and systemd restarts the service.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Notifier:
    """Where to tell systemd how the service is doing; `address` None means nobody listens."""

    address: str | None = None
    watchdog_usec: int = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Notifier:
        env = os.environ if env is None else env
        address = env.get("NOTIFY_SOCKET") or None
        usec = 0
        # WATCHDOG_PID names the process the watchdog is for: a child that inherited the
        # environment (a subprocess the app starts) must not ping on its parent's behalf.
        pid = env.get("WATCHDOG_PID")
        if env.get("WATCHDOG_USEC", "").isdigit() and (pid is None or pid == str(os.getpid())):
            usec = int(env["WATCHDOG_USEC"])
        return cls(address, usec)

    @property
    def watchdog_every_s(self) -> float | None:
        """How often to ping: half of WatchdogSec= (sd_watchdog_enabled(3)); None if it is off."""
        return self.watchdog_usec / 2_000_000 if self.watchdog_usec else None

    def send(self, *lines: str) -> bool:
        """Send one message; True if it went out (False without a socket or when it failed)."""
        if not self.address or not lines:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto("\n".join(lines).encode(), target)
        except OSError:  # systemd gone or restarting: never let telling it break the service
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def status(self, text: str) -> bool:
        return self.send(f"STATUS={text}")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")


def notifier() -> Notifier:
    """The notifier for this process, from its environment."""
    return Notifier.from_env()


async def heartbeat(
    alive: Callable[[], bool],
    notify: Notifier | None = None,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Ping the watchdog at half its interval for as long as `alive()` says the work goes on.

    Run it as a task on the loop it vouches for: when that loop wedges, the pings stop; when the
    work it watches has ended (`alive()` false), it stops pinging too, and systemd restarts the
    service instead of keeping a process that does nothing.
    """
    notify = notify or notifier()
    every = notify.watchdog_every_s
    if every is None:
        return
    while alive():
        notify.watchdog()
        await sleep(every)
