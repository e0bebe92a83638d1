"""Where the device's logs come from: the journal of its units, behind a Protocol."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from typing import Protocol

UNITS = ("kiosk-ui", "kiosk-agent", "kiosk-firstboot")


class LogSource(Protocol):
    async def recent(self) -> dict[str, str]:
        """Log name -> its recent text (the caller removes secrets before it goes anywhere)."""
        ...


class Journal:
    """journalctl for the kiosk's units, the last `since` of them (at most `lines` lines each)."""

    def __init__(self, since: str = "-3days", lines: int = 20000) -> None:
        self.since, self.lines = since, lines

    async def recent(self) -> dict[str, str]:
        exe = shutil.which("journalctl")
        if exe is None:
            return {}
        out: dict[str, str] = {}
        for unit in UNITS:
            try:
                proc = await asyncio.create_subprocess_exec(
                    exe,
                    "-u",
                    unit,
                    "--since",
                    self.since,
                    "-n",
                    str(self.lines),
                    "-o",
                    "short-iso",
                    "--no-pager",
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT,
                )
                async with asyncio.timeout(30):
                    text, _ = await proc.communicate()
            except (OSError, TimeoutError):
                continue
            out[f"{unit}.log"] = text.decode(errors="replace")
        return out


@dataclass
class FakeLogs:
    logs: dict[str, str] = field(default_factory=dict)

    async def recent(self) -> dict[str, str]:
        return dict(self.logs)
