"""Run `kiosk` and, as it exits, write this process's own peak RSS (VmHWM, KiB) to $BENCH_PEAK_FILE.

The parent cannot use ru_maxrss for this: Linux carries it across exec from the process that
forked the child, so a child of a large benchmark process reports the benchmark's size.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kiosk.cli import main


def peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    code = main(sys.argv[1:])
    Path(os.environ["BENCH_PEAK_FILE"]).write_text(str(peak_kib()))
    raise SystemExit(code)
