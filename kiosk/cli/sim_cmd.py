"""`kiosk sim PLATFORM`: run a simulated store (the demo store, and the one tests sync with)."""

from __future__ import annotations

from typing import Any

from kiosk.sim.woocommerce import cli as woocommerce_cli


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sim", help="run a simulated store on this machine")
    ssub = p.add_subparsers(dest="sim_platform", metavar="PLATFORM", required=True)
    woocommerce_cli.add_parser(ssub)
