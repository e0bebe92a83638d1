"""Serving a simulator from the command line: until SIGINT or SIGTERM, after its JSON line."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any


async def serve(
    name: str, sim: AbstractAsyncContextManager[Any], setup: Callable[[Any], None]
) -> int:
    """Run `sim`, `setup` it (its faults), print its `sign_in()` line first, serve until stopped.

    The line comes before anything else on stdout, so a script or test can read it at once.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with sim as handle:
            setup(handle)
            print(json.dumps(handle.sign_in()), flush=True)
            await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    print(f"kiosk sim {name}: stopped", file=sys.stderr)
    return 0
