"""Run `kiosk` with each upload step (`SyncEngine.push`) timed, written to $BENCH_DRAIN_FILE.

The parent cannot tell the upload from the rest of `kiosk sync --once` from outside: the store's
request log keeps whole seconds, and the outbox's own timestamps end at the last confirmation,
before the stock read-back that follows it. So the step is timed here, in the process that runs
it, without changing what it does. Before and after each step, the store's request count
(`GET $BENCH_SIM_URL/__sim/requests`, untimed) marks where the step's requests lie in the log.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from kiosk.cli import main
from kiosk.sync.engine import SyncEngine
from kiosk.sync.push import PushReport
from tests.bench.sync_figures import BenchError
from tests.bench.sync_figures import _clean_env as clean_env
from tests.bench.sync_figures import _tail as tail

STEPS: list[dict[str, Any]] = []


def run_timed_sync(
    data_dir: Path, work: Path, sim_url: str, *, timeout_s: float
) -> tuple[float, dict[str, Any], list[dict[str, Any]]]:
    """`kiosk sync --once --json` with its upload steps timed: wall seconds, report, steps."""
    out, err, steps = work / "drain.stdout", work / "drain.stderr", work / "drain.steps"
    argv = [sys.executable, "-m", "tests.bench.drain_child", "--data-dir", str(data_dir)]
    argv += ["sync", "--once", "--json"]
    env = {**clean_env(), "BENCH_DRAIN_FILE": str(steps), "BENCH_SIM_URL": sim_url}
    t0 = time.perf_counter()
    with out.open("wb") as fout, err.open("wb") as ferr:
        try:
            done = subprocess.run(
                argv, stdin=subprocess.DEVNULL, stdout=fout, stderr=ferr, env=env, timeout=timeout_s
            )
        except subprocess.TimeoutExpired:
            raise BenchError(f"`kiosk sync --once` took more than {timeout_s:.0f} s") from None
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise BenchError(
            f"`kiosk sync --once` failed (exit {done.returncode}): {tail(err)} {tail(out)}"
        )
    return wall, json.loads(out.read_text()), json.loads(steps.read_text())


def _requests_seen(url: str) -> int:
    # Every one of the step's requests has been answered (and logged) by the time it returns.
    with urllib.request.urlopen(f"{url}/__sim/requests", timeout=30) as r:
        return len(json.load(r))


def _timed(push: Any, url: str) -> Any:
    @functools.wraps(push)
    async def timed(self: SyncEngine) -> PushReport:
        start = _requests_seen(url)
        t0 = time.perf_counter()
        report: PushReport = await push(self)
        seconds = time.perf_counter() - t0
        STEPS.append(
            {"seconds": seconds, "synced": report.synced, "log": [start, _requests_seen(url)]}
        )
        return report

    return timed


if __name__ == "__main__":
    SyncEngine.push = _timed(SyncEngine.push, os.environ["BENCH_SIM_URL"])  # type: ignore[method-assign]
    code = main(sys.argv[1:])
    Path(os.environ["BENCH_DRAIN_FILE"]).write_text(json.dumps(STEPS))
    raise SystemExit(code)
