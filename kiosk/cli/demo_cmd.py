"""`kiosk demo`: the demo store on a fresh data directory, and a first sale rung up on it."""

from __future__ import annotations

import argparse
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from kiosk.catalog_export import load_export
from kiosk.cli.catalog_cmd import store_export
from kiosk.cli.render import order_text
from kiosk.cli.ui_cmd import add_ui_arguments, agent_task, check_display, run_ui
from kiosk.config import load_config
from kiosk.core.models import PaymentMethod
from kiosk.core.money import Money
from kiosk.core.tender import Tender
from kiosk.runtime import open_runtime
from kiosk.store import orders

DEMO_CATALOG = "demo_catalog.json"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="the touchscreen app against a simulated store, scanner, printer and card reader",
    )
    p.add_argument(
        "--text",
        action="store_true",
        help="no window: load the demo shop and ring up one sample sale in the terminal",
    )
    p.add_argument(
        "--platform",
        choices=("woocommerce", "shopify"),
        default="woocommerce",
        help="which simulated store the demo syncs with (default: woocommerce)",
    )
    add_ui_arguments(p)
    p.set_defaults(handler=run, no_runtime=True)


def demo_catalog_path() -> Path:
    return Path(str(resources.files("kiosk.sim") / "data" / DEMO_CATALOG))


def _kiosk_command() -> str:
    """How the person who ran `make run` can call kiosk from where they are."""
    local = Path(".venv/bin/kiosk")
    return str(local) if local.exists() else "kiosk"


def round_up(amount: Money, step_minor: int) -> Money:
    """The next note a customer would hand over, e.g. £13.40 -> £20.00 for step 1000."""
    return Money(-(-amount.minor // step_minor) * step_minor, amount.currency)


async def run(args: argparse.Namespace, _rt: None) -> int:
    if not args.text:
        return await run_app_demo(args)
    if getattr(args, "platform", "woocommerce") != "woocommerce":
        from kiosk.cli.demo_store import run_text_on_store

        return await run_text_on_store(args, cashier=DEMO_CASHIER)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    config = load_config(args.config, data_dir)
    export = load_export(demo_catalog_path())
    async with open_runtime(config) as rt:
        await store_export(rt, export)
        print(f"Demo shop loaded into {data_dir}: {len(export.products)} products and variations.")
        sellable = [p for p in export.products if p.sellable and (p.barcode or p.sku)]
        picks = [sellable[0], sellable[len(sellable) // 2], sellable[-1]]
        cart = await rt.checkout.start()
        for i, product in enumerate(picks, start=1):
            await rt.checkout.add_code(cart, product.barcode or product.sku, i)
        due = cart.totals().total
        cash = round_up(due, 10**due.exponent * 10)
        order = await rt.checkout.complete(cart, [Tender(PaymentMethod.CASH, cash)])
        stored = await orders.get_order(rt.db, order.id)
        assert stored is not None  # just committed
        print("A sample sale, paid in cash:\n")
        print(order_text(stored, export.settings.locale))
        print(f"Try: {_kiosk_command()} --data-dir {data_dir} status")
    return 0


DEMO_PRODUCTS = 300  # a shop's worth: categories, variable products, barcodes, stock, taxes
DEMO_SEED = 7
DEMO_CASHIER = "Sam"


async def run_app_demo(args: argparse.Namespace) -> int:
    """The simulated store, the agent syncing with it, and the app, all in this process."""
    check_display()
    from kiosk.cli.demo_store import demo_store
    from kiosk.sim.catalog import generate_export
    from kiosk.sim.stripe import running_stripe_sim
    from kiosk.sim.stripe.device import SimulatedCustomer, provision_reader

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    export = generate_export(DEMO_PRODUCTS, variable_share=0.15, variations_per=6, seed=DEMO_SEED)
    platform = getattr(args, "platform", "woocommerce")
    # The card button goes through the real `stripe` library to the Stripe simulator.
    async with (
        demo_store(platform, export, data_dir, cashier=DEMO_CASHIER) as store_url,
        running_stripe_sim() as stripe_sim,
    ):
        reader_id = await provision_reader(data_dir, stripe_sim)
        config = load_config(None, data_dir)
        codes = [
            (p["global_unique_id"], p["name"])
            for p in export["products"]
            if p.get("type") == "simple" and p.get("global_unique_id")
        ][:3]
        print(f"Demo store: {store_url} (data in {data_dir})")
        print(f"Card reader: a simulated Stripe S710 ({reader_id}) at {stripe_sim.url}")
        print("Scan by typing a barcode and Enter, anywhere in the window, e.g.:")
        for code, name in codes:
            print(f"  {code}  {name}")
        async with open_runtime(config) as rt, agent_task(rt):
            # The demo's scanner is the keyboard: typed codes and Enter.
            customer = SimulatedCustomer(stripe_sim, reader_id)
            return await run_ui(
                rt,
                size=args.size,
                fullscreen=args.fullscreen,
                scanners=False,
                levers=customer,
            )
