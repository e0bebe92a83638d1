"""`make bench`: each figure with its ratio to a baseline measured in the same run.

Targets live here, never in timed tests: a figure past its target is flagged in the results
and makes the command exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench import drain_figures, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument(
        "--out",
        type=Path,
        help="results file (default: bench/results.json, or bench/results-GROUP.json with --only)",
    )
    parser.add_argument("--products", type=int, default=100_000, help="catalog size for search")
    parser.add_argument("--sales", type=int, default=400, help="sales to time")
    parser.add_argument(
        "--sync-products", type=int, default=10_000, help="catalog size for the initial sync"
    )
    parser.add_argument(
        "--drain-orders",
        type=int,
        default=drain_figures.ORDERS,
        help="queued sales to upload for the drain",
    )
    parser.add_argument(
        "--only", choices=figures.GROUPS, help="run one group of figures (for development)"
    )
    args = parser.parse_args(argv)
    if args.out is None:
        # One group's figures must not overwrite the full set of results.
        name = f"results-{args.only}.json" if args.only else "results.json"
        args.out = Path("bench") / name
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-", dir=os.environ.get("BENCH_TMP")) as tmp:
        results = asyncio.run(
            figures.run_all(
                Path(tmp),
                products=args.products,
                sales=args.sales,
                sync_products=args.sync_products,
                drain_orders=args.drain_orders,
                only=args.only,
            )
        )
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "figures": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    failed = [f for f in results if f.get("met") is False]
    for f in results:
        mark = "" if f.get("met") is None else ("  ok" if f["met"] else "  MISSED TARGET")
        ratio = f" (x{f['ratio']:.2f} {f['baseline']})" if "ratio" in f else ""
        print(f"{f['name']:32} {f['value']:10.3f} {f['unit']}{ratio}{mark}")
    print(f"wrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
