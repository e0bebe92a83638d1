"""`make soak`: longer soaks over several seeds, each checked against the drain-time target.

    python -m tests.soak [--sales N] [--seeds A,B,C] [--latency-ms MS] [--kills K]

Prints one report per run; exits 1 if a sale was lost, duplicated or left queued, or a drain
missed its target. The target is the issue's (twice the fault-free drain plus the longest
outage) plus what the timeouts alone cost: each holds one of the `concurrency` request slots for
the client's whole timeout, which no scheduling can win back.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from tests.soak.drain import CLIENT, soak
from tests.soak.kills import soak_with_kills

CONCURRENCY = 4


async def _main(args: argparse.Namespace) -> int:
    failed = 0
    for seed in args.seeds:
        with tempfile.TemporaryDirectory(prefix="kiosk-soak-") as tmp:
            outcome = await soak(Path(tmp), sales=args.sales, seed=seed, latency_ms=args.latency_ms)
        timeouts_s = outcome.fired.get("timeout", 0) * CLIENT["timeout"] / CONCURRENCY
        target = outcome.bound_s + timeouts_s
        verdict = "ok" if not outcome.problems and outcome.drain_s <= target else "FAILED"
        print(outcome.describe())
        print(
            f"  {verdict}: {outcome.drain_s:.2f} s against {target:.2f} s "
            f"(2 x {outcome.fault_free_s:.2f} + {outcome.plan.longest_outage_s:.2f} outage "
            f"+ {timeouts_s:.2f} in timeouts); ratio to the fault-free drain "
            f"{outcome.drain_s / outcome.fault_free_s:.2f}"
        )
        for problem in outcome.problems:
            print(f"  problem: {problem}")
        failed += verdict != "ok"
        with tempfile.TemporaryDirectory(prefix="kiosk-soak-kills-") as tmp:
            killed = await soak_with_kills(Path(tmp), sales=args.sales, seed=seed, kills=args.kills)
        print(killed.describe())
        print(f"  {'ok' if not killed.problems else 'FAILED'}")
        for problem in killed.problems:
            print(f"  problem: {problem}")
        failed += bool(killed.problems)
        sys.stdout.flush()
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__.splitlines()[0])
    p.add_argument("--sales", type=int, default=500)
    p.add_argument("--seeds", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 3])
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--kills", type=int, default=10)
    return asyncio.run(_main(p.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
