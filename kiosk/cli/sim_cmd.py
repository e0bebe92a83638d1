"""`kiosk sim PLATFORM`: run a simulated store (the demo store, and the one tests sync with)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sim", help="run a simulated store on this machine")
    ssub = p.add_subparsers(dest="sim_platform", metavar="PLATFORM", required=True)
    add_woocommerce_parser(ssub)


def add_woocommerce_parser(sub: Any) -> None:
    p = sub.add_parser("woocommerce", help="serve a simulated WooCommerce store on 127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: any free)")
    p.add_argument("--products", type=int, default=200, help="generated catalog size")
    p.add_argument("--variable-share", type=float, default=0.2, help="share of variable products")
    p.add_argument("--variations-per", type=int, default=4, help="variations per variable product")
    p.add_argument("--latency-ms", type=float, default=0, help="delay added to every request")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated catalog")
    p.add_argument("--tls", action="store_true", help="serve HTTPS with a throwaway CA")
    p.add_argument(
        "--no-plugin",
        dest="plugin",
        action="store_false",
        help="serve a store without the companion plugin (no kiosk/v1 routes)",
    )
    p.add_argument(
        "--demo", action="store_true", help="serve the demo catalog, not a generated one"
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND:PATH[:COUNT]",
        help="inject a fault (429, 503, 500, timeout, drop, drop_after_commit), e.g. 503:orders:2",
    )
    p.set_defaults(handler=_run_woocommerce, no_runtime=True)


async def _run_woocommerce(args: argparse.Namespace, rt: None) -> int:
    # The simulator (and its catalog generator) loads only when asked for: every other command
    # starts faster without it.
    from kiosk.sim.woocommerce.cli import run

    return await run(args, rt)
