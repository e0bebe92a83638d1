"""kill -9 at each step of a card sale, then a restart: never two charges, never a charge kept
without its sale.

`kiosk sale --card` runs as its own process against the Stripe simulator (in this process, so
its state is read directly). A "timeout" fault holds the step's request at Stripe; the sale is
killed with SIGKILL while it waits, and the request is then carried out, as Stripe does for a
client that has gone. The restart is `kiosk reader reconcile` (what the app runs at start),
then the customer pays again with a new sale. Every exchange is checked against Stripe's
OpenAPI description by the `sim` fixture.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog_export import load_export
from kiosk.cli.demo_cmd import demo_catalog_path
from kiosk.config import Config, save_config
from kiosk.sim.stripe import StripeSimHandle
from kiosk.sim.stripe.device import provision_reader
from kiosk.store import catalog
from kiosk.store.db import Database
from tests.kiosk_process import PIPE, start_kiosk
from tests.sim.stripe import conftest as checked

pytestmark = pytest.mark.timeout(180)
sim, fidelity = checked.sim, checked.fidelity

# (the step killed in, the request held there): method and path prefix under /v1/.
STEPS = {
    "create": ("POST", "payment_intents"),
    "process": ("POST", "terminal/readers/"),
    "poll": ("GET", "terminal/readers/"),
    "capture": ("POST", "payment_intents/"),
}


async def _shop(data_dir: Path) -> str:
    """The demo catalog in a fresh data directory; a code to sell."""
    data_dir.mkdir(parents=True)  # noqa: ASYNC240 - a test's own folder
    save_config(Config(data_dir=data_dir))
    export = load_export(demo_catalog_path())
    db = await Database.open(data_dir / "kiosk.db")
    try:
        await catalog.save_shop_settings(db, export.settings)
        await catalog.replace_tax_rates(db, export.tax_rates)
        await catalog.upsert_products(db, export.products)
    finally:
        await db.close()
    product = next(p for p in export.products if p.sellable and p.price and (p.barcode or p.sku))
    return str(product.barcode or product.sku)


async def _run(data_dir: Path, *args: str) -> dict[str, Any]:
    proc = await start_kiosk(data_dir, *args, "--json", stdout=PIPE)
    out, err = await proc.communicate()
    assert proc.returncode in (0, 1), err.decode()
    answer: dict[str, Any] = json.loads(out)
    return answer


def _card_orders(data_dir: Path) -> list[str]:
    """The PaymentIntent of every card payment of a committed sale."""
    with sqlite3.connect(data_dir / "kiosk.db") as conn:
        rows = conn.execute("SELECT reference FROM payments WHERE method = 'card'").fetchall()
    return [r[0] for r in rows]


def _kept_charges(sim: StripeSimHandle) -> list[str]:
    """PaymentIntents whose money the shop keeps: captured and not refunded."""
    refunded = {r["payment_intent"] for r in sim.state.refunds.values()}
    return [
        pid
        for pid, intent in sim.state.payment_intents.items()
        if intent["status"] == "succeeded" and pid not in refunded
    ]


@pytest.mark.parametrize("step", [*STEPS, "after_commit"])
async def test_a_card_sale_killed_at_any_step_is_charged_once_after_a_restart(
    tmp_path: Path, sim: StripeSimHandle, step: str
) -> None:
    data_dir = tmp_path / "till"
    code = await _shop(data_dir)
    rid = await provision_reader(data_dir, sim)
    sim.terminal.auto_present_ms = 0  # the customer taps at once

    if step == "after_commit":  # the sale finished: nothing may be undone at the restart
        done = await _run(data_dir, "sale", "--item", code, "--card")
        assert done["card"]["approved"] is True
    else:
        method, path = STEPS[step]
        if step == "poll":  # the card is authorised; the till is killed before it hears so
            sim.faults.add("timeout", method=method, path=f"{path}{rid}")
        else:
            sim.faults.add("timeout", method=method, path=path)
        sale = await start_kiosk(data_dir, "sale", "--item", code, "--card", "--json")
        held = asyncio.ensure_future(sim.faults.wait_until_held())
        ended = asyncio.ensure_future(sale.wait())
        await asyncio.wait({held, ended}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        if not held.done():
            held.cancel()
            assert sale.stderr is not None
            why = (await sale.stderr.read()).decode() if ended.done() else "still running"
            raise AssertionError(f"the {step} request never reached Stripe: {why}")
        sale.send_signal(signal.SIGKILL)
        await sale.wait()
        assert sale.returncode == -signal.SIGKILL
        sim.faults.release()  # Stripe carries out what it was sent
        await asyncio.wait_for(sim.faults.wait_none_held(), 30)
        if step in ("process", "poll", "capture"):
            await asyncio.wait_for(sim.terminal.wait_action(rid, "succeeded"), 30)
        assert _card_orders(data_dir) == []  # killed before the sale was committed

    # The restart: attempts without a sale are settled at Stripe.
    report = await _run(data_dir, "reader", "reconcile", "--older-than-min", "0")
    orders = _card_orders(data_dir)
    assert sorted(_kept_charges(sim)) == sorted(orders), report  # no charge without its sale
    assert not [p for p in sim.state.payment_intents.values() if p["status"] == "requires_capture"]

    if not orders:  # the customer pays again: one sale, one charge in all
        again = await _run(data_dir, "sale", "--item", code, "--card")
        assert again["card"]["approved"] is True
    (paid,) = _card_orders(data_dir)
    assert _kept_charges(sim) == [paid]
