"""Card payments on the real app through the real `stripe` library to the Stripe simulator.

The app runs as `kiosk ui --agent` with [stripe] provisioned (a simulated S710); the test plays
the customer at the reader through the simulator's levers, as Stripe's test helpers do. Every
request the app sent and every answer it got is checked against Stripe's OpenAPI description
(the `sim` fixture's teardown). Screenshots land in screenshots/<size>/ (gitignored).
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from kiosk.sim.stripe import StripeSimHandle
from kiosk.sim.stripe.device import DEMO_DECLINE, provision_reader
from kiosk.sim.woocommerce import SimHandle
from tests.kiosk_process import start_kiosk
from tests.sim.stripe import conftest as checked
from tests.ui import records
from tests.ui.harness import Till, running_till

pytestmark = pytest.mark.timeout(240)
sim, fidelity = checked.sim, checked.fidelity


async def start_card(till: Till, price: str) -> None:
    await till.tap(role="pay")
    await till.tap(f"Card £{price}", exact=True)


@pytest.mark.parametrize("size", ["800x480", "1280x800"])
async def test_approve_decline_then_cash_cancel_and_reader_offline(
    device: Path, display: str, store: SimHandle, sim: StripeSimHandle, size: str
) -> None:
    rid = await provision_reader(device, sim)
    item = records.simple(store, 1)
    price = item["price"]
    async with running_till(device, display, size) as till:
        await till.wait_text("Reader ready")

        # Approved: the customer taps a card; the sale completes with the card's details.
        await till.scan(item["global_unique_id"])
        await start_card(till, price)
        await sim.terminal.wait_action(rid, "in_progress")
        assert "Present the card on the reader" in await till.screen_text()
        await till.shot("30-stripe-waiting")
        sim.terminal.tap(rid)
        await till.wait_text("Sale complete")
        await till.shot("31-stripe-approved")
        await till.tap("New sale", exact=True)
        (sold,) = records.orders(device)
        (card,) = records.rows(
            device, "SELECT reference, card_brand, card_last4 FROM payments WHERE method='card'"
        )
        (intent,) = sim.state.payment_intents.values()
        assert (card["reference"], card["card_last4"]) == (intent["id"], "4242")
        assert intent["status"] == "succeeded"

        # Declined (insufficient funds): its own screen, nothing charged, then cash.
        await till.scan(item["global_unique_id"])
        await start_card(till, price)
        await sim.terminal.wait_action(rid, "in_progress")
        sim.terminal.tap(rid, DEMO_DECLINE)
        await till.wait_text("Insufficient funds. Nothing was charged.")
        screen = await till.screen_text()
        assert "Card declined" in screen
        assert "Try the card again" in screen
        await till.shot("32-stripe-declined")
        await till.tap("Take cash", exact=True)
        await till.tap(role="quick-cash", index=0)
        await till.wait_text("Sale complete")
        await till.tap("New sale", exact=True)
        paid_cash = [o for o in records.orders(device) if o["id"] != sold["id"]]
        assert [records.payments(device, o["id"])[0][0] for o in paid_cash] == ["cash"]

        # Staff cancel from the screen, then the customer cancels on the reader: both end
        # "cancelled", nothing charged.
        await till.scan(item["global_unique_id"])
        await start_card(till, price)
        await sim.terminal.wait_action(rid, "in_progress")
        await till.tap("Cancel payment", exact=True)
        await till.wait_text("Card payment cancelled")
        await till.shot("33-stripe-cancelled")
        await till.tap("Try the card again", exact=True)
        await sim.terminal.wait_action(rid, "in_progress")
        sim.terminal.customer_cancels(rid)
        await till.wait_text("Card payment cancelled")

        # The reader goes offline: the next try says so in words; cash still works.
        sim.terminal.set_online(rid, False)
        await till.tap("Try the card again", exact=True)
        await till.wait_text("Card reader offline")
        assert "check its power and Wi-Fi" in await till.screen_text()
        await till.shot("34-stripe-reader-offline")
        await till.tap("Take cash", exact=True)
        await till.tap(role="quick-cash", index=0)
        await till.wait_text("Sale complete")
        await till.tap("New sale", exact=True)

        # Exactly one charge in all: the approved sale's.
        captured = [p for p in sim.state.payment_intents.values() if p["status"] == "succeeded"]
        assert [p["id"] for p in captured] == [intent["id"]]
        assert len(records.orders(device)) == 3


async def test_a_card_charged_before_a_crash_is_refunded_at_start_and_staff_are_told(
    device: Path, display: str, store: SimHandle, sim: StripeSimHandle
) -> None:
    await provision_reader(device, sim)
    code = records.simple(store, 1)["global_unique_id"]
    synced = await start_kiosk(device, "sync", "--once")
    assert await synced.wait() == 0
    # A headless card sale killed after Stripe captured the charge, before the sale was saved.
    sim.terminal.auto_present_ms = 0
    sim.faults.add("timeout", method="POST", path="payment_intents/")
    sale = await start_kiosk(device, "sale", "--item", code, "--card")
    await asyncio.wait_for(sim.faults.wait_until_held(), 60)
    sale.send_signal(signal.SIGKILL)
    await sale.wait()
    sim.faults.release()
    await asyncio.wait_for(sim.faults.wait_none_held(), 30)
    (intent,) = sim.state.payment_intents.values()
    assert intent["status"] == "succeeded"

    async with running_till(device, display, "800x480") as till:
        await till.wait_text("it has been refunded in full")
        await till.shot("35-stripe-refunded-at-start")
    assert [r["payment_intent"] for r in sim.state.refunds.values()] == [intent["id"]]
    assert records.orders(device) == []
