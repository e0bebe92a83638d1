"""`kiosk sim PLATFORM`: run a simulated store (the demo store, and the one tests sync with).

The simulators are libraries (kiosk.sim.woocommerce.running_sim builds one, and
kiosk.sim.stripe.running_stripe_sim the Stripe account the card reader talks to); this module
is their command line: arguments, signals, and the JSON line a script reads.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from kiosk.cli.demo_cmd import demo_catalog_path
from kiosk.cli.sim_serve import serve
from kiosk.cli.sim_shopify import add_shopify_parser


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sim", help="run a simulated store on this machine")
    ssub = p.add_subparsers(dest="sim_platform", metavar="PLATFORM", required=True)
    add_woocommerce_parser(ssub)
    add_shopify_parser(ssub)
    add_stripe_parser(ssub)


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
        "--plain-permalinks",
        dest="pretty_permalinks",
        action="store_false",
        help="a site without pretty permalinks: the REST API only at /?rest_route=/...",
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


def add_stripe_parser(sub: Any) -> None:
    p = sub.add_parser(
        "stripe", help="serve a simulated Stripe API (Terminal, payments) on 127.0.0.1"
    )
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: any free)")
    p.add_argument("--latency-ms", type=float, default=0, help="delay added to every request")
    p.add_argument(
        "--auto-present-ms",
        type=float,
        default=None,
        metavar="MS",
        help="readers tap a test card this long after a payment starts (default: only when"
        " the present_payment_method test helper is called)",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:PATH[:COUNT]]",
        help="inject a fault (429, lock_timeout, 500, timeout, drop, drop_after_commit),"
        " e.g. 429:payment_intents:2",
    )
    p.set_defaults(handler=_run_stripe, no_runtime=True)


async def _run_stripe(args: argparse.Namespace, _rt: None) -> int:
    """Serve until SIGINT or SIGTERM, after one JSON line that says where and with which keys.

    The line is `{"url", "secret_key", "restricted_key"}`. The restricted key has the till's
    permissions (Terminal, PaymentIntents, Refunds, Charges read); the levers are served under
    `/__sim/` (kiosk/sim/stripe/admin.py).
    """
    from kiosk.sim.stripe import running_stripe_sim
    from kiosk.sim.stripe.faults import parse_fault_spec

    faults = [parse_fault_spec(spec) for spec in args.fault]

    def setup(sim: Any) -> None:
        for kind, path, count in faults:
            sim.faults.add(kind, path=path, count=count)

    sim = running_stripe_sim(
        port=args.port, latency_ms=args.latency_ms, auto_present_ms=args.auto_present_ms
    )
    return await serve("stripe", sim, setup)


async def _run_woocommerce(args: argparse.Namespace, _rt: None) -> int:
    """Serve until SIGINT or SIGTERM, after one JSON line that says where and how to sign in.

    The line is `{"url", "consumer_key", "consumer_secret"[, "ca_file"]}`, printed first so a
    script or test can read it before anything else.
    """
    # The simulator (and its catalog generator) loads only when asked for: every other command
    # starts faster without it.
    from kiosk.sim.woocommerce import running_sim
    from kiosk.sim.woocommerce.faults import parse_fault_spec

    export = json.loads(demo_catalog_path().read_text(encoding="utf-8")) if args.demo else None
    faults = [parse_fault_spec(spec) for spec in args.fault]

    def setup(sim: Any) -> None:
        for kind, path, count in faults:
            sim.faults.add(kind, path=path, count=count)

    sim = running_sim(
        export=export,
        products=args.products,
        seed=args.seed,
        variable_share=args.variable_share,
        variations_per=args.variations_per,
        latency_ms=args.latency_ms,
        tls=args.tls,
        port=args.port,
        plugin=args.plugin,
        pretty_permalinks=args.pretty_permalinks,
    )
    return await serve("woocommerce", sim, setup)
