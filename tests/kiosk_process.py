"""`kiosk ...` as a child process on a data directory, for tests that kill or stop it."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

PIPE = asyncio.subprocess.PIPE
DEVNULL = asyncio.subprocess.DEVNULL


async def start_kiosk(
    data_dir: Path, *args: str, stdout: int = DEVNULL, stderr: int = PIPE
) -> asyncio.subprocess.Process:
    """Start `python -m kiosk --data-dir DATA_DIR ARGS...` with no standard input."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kiosk",
        "--data-dir",
        str(data_dir),
        *args,
        stdin=DEVNULL,
        stdout=stdout,
        stderr=stderr,
    )
