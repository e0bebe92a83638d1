"""`kiosk sim shopify`: serve the simulated Shopify shop (kiosk.sim.shopify) until stopped."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.cli.sim_serve import serve


def add_shopify_parser(sub: Any) -> None:
    p = sub.add_parser("shopify", help="serve a simulated Shopify Admin GraphQL API on 127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: any free)")
    p.add_argument("--products", type=int, default=200, help="generated catalog size")
    p.add_argument("--variable-share", type=float, default=0.2, help="share with variants")
    p.add_argument("--variations-per", type=int, default=4, help="variants per such product")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated catalog")
    p.add_argument(
        "--restore-rate", type=float, default=100.0, help="cost points restored a second"
    )
    p.add_argument("--bucket", type=float, default=2000.0, help="cost points the bucket holds")
    p.add_argument("--latency-ms", type=float, default=0, help="delay added to every answer")
    p.add_argument(
        "--bulk-rate", type=float, default=None, help="objects a second a bulk operation runs at"
    )
    p.add_argument(
        "--log-queries", type=Path, default=None, metavar="FILE", help="append every document"
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:MATCH[:COUNT]]",
        help="inject a fault (429, 500, 503, throttled, timeout, drop, drop_after_commit)",
    )
    p.set_defaults(handler=_run_shopify, no_runtime=True)


async def _run_shopify(args: argparse.Namespace, _rt: None) -> int:
    """Serve until SIGINT or SIGTERM, after one JSON line `{"url", "shop", "token"}`."""
    # The simulator (graphql-core and the schema) loads only when asked for.
    from kiosk.sim.shopify import running_sim
    from kiosk.sim.shopify.faults import parse_fault_spec

    faults = [parse_fault_spec(spec) for spec in args.fault]

    def setup(sim: Any) -> None:
        for kind, match, count in faults:
            sim.faults.add(kind, match=match, count=count)

    sim = running_sim(
        products=args.products,
        seed=args.seed,
        variable_share=args.variable_share,
        variations_per=args.variations_per,
        port=args.port,
        restore_rate=args.restore_rate,
        bucket_size=args.bucket,
        log_queries=args.log_queries,
        latency_ms=args.latency_ms,
        bulk_rate=args.bulk_rate,
    )
    return await serve("shopify", sim, setup)
