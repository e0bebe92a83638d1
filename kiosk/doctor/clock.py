"""Is the clock right? systemd-timesyncd's verdict through timedatectl, behind a Protocol.

`timedatectl show -p NTP -p NTPSynchronized` prints `NTP=yes` (synchronisation switched on) and
`NTPSynchronized=yes` (the kernel's clock is disciplined by a time server), one per line.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ClockState:
    ntp_enabled: bool | None  # None: cannot tell (no timedatectl, no systemd)
    synchronized: bool | None


class ClockSource(Protocol):
    async def state(self) -> ClockState: ...


class Timedatectl:
    """The system's clock state from timedatectl (systemd)."""

    async def state(self) -> ClockState:
        exe = shutil.which("timedatectl")
        if exe is None:
            return ClockState(None, None)
        try:
            proc = await asyncio.create_subprocess_exec(
                exe,
                "show",
                "-p",
                "NTP",
                "-p",
                "NTPSynchronized",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            async with asyncio.timeout(5):
                out, _ = await proc.communicate()
        except (OSError, TimeoutError):
            return ClockState(None, None)
        return (
            parse_show(out.decode(errors="replace"))
            if proc.returncode == 0
            else ClockState(None, None)
        )


def parse_show(text: str) -> ClockState:
    values = dict(line.partition("=")[::2] for line in text.splitlines() if "=" in line)

    def yes(key: str) -> bool | None:
        return {"yes": True, "no": False}.get(values.get(key, "").strip())

    return ClockState(yes("NTP"), yes("NTPSynchronized"))


@dataclass
class FakeClock:
    value: ClockState

    async def state(self) -> ClockState:
        return self.value
