"""The Raspberry Pi's serial number, which picks this device's row of a provisioning file.

The device tree's serial-number (Pi 4 and 5, NUL-terminated) is read first; older kernels only
give the "Serial" line of /proc/cpuinfo. Both are hex; leading zeros are kept as printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

SerialReader = Callable[[], "str | None"]
DEVICE_TREE = Path("/proc/device-tree/serial-number")
CPUINFO = Path("/proc/cpuinfo")


def read_serial(device_tree: Path = DEVICE_TREE, cpuinfo: Path = CPUINFO) -> str | None:
    """This machine's serial number in lower case, or None when neither place gives one."""
    try:
        text = device_tree.read_bytes().rstrip(b"\x00").decode("ascii", "replace").strip()
        if text:
            return text.lower()
    except OSError:
        pass
    try:
        info = cpuinfo.read_text(errors="replace")
    except OSError:
        return None
    match = re.search(r"^Serial\s*:\s*([0-9A-Fa-f]+)\s*$", info, re.MULTILINE)
    return match.group(1).lower() if match else None
