"""`kiosk sim woocommerce`: serve a simulated WooCommerce store until SIGINT or SIGTERM.

Prints one JSON line first, `{"url", "consumer_key", "consumer_secret"[, "ca_file"]}`, so a
script or test can read where the store is and how to sign in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys

from kiosk.sim.woocommerce import running_sim
from kiosk.sim.woocommerce.faults import parse_fault_spec


async def run(args: argparse.Namespace, _rt: None) -> int:
    export = None
    if args.demo:
        from kiosk.cli.demo_cmd import demo_catalog_path

        export = json.loads(demo_catalog_path().read_text(encoding="utf-8"))
    faults = [parse_fault_spec(spec) for spec in args.fault]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running_sim(
        export=export,
        products=args.products,
        seed=args.seed,
        variable_share=args.variable_share,
        variations_per=args.variations_per,
        latency_ms=args.latency_ms,
        tls=args.tls,
        port=args.port,
        plugin=args.plugin,
    ) as sim:
        for kind, path, count in faults:
            sim.faults.add(kind, path=path, count=count)
        line: dict[str, str] = {
            "url": sim.url,
            "consumer_key": sim.consumer_key,
            "consumer_secret": sim.consumer_secret,
        }
        if sim.ca_file is not None:
            line["ca_file"] = str(sim.ca_file)
        print(json.dumps(line), flush=True)
        await stop.wait()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(sig)
    print("kiosk sim woocommerce: stopped", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m kiosk.sim.woocommerce.cli woocommerce ...`, for use before `kiosk sim` exists."""
    from kiosk.cli.sim_cmd import add_woocommerce_parser

    parser = argparse.ArgumentParser(prog="kiosk sim")
    add_woocommerce_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(asyncio.run(args.handler(args, None)))


if __name__ == "__main__":
    raise SystemExit(main())
