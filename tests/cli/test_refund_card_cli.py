"""`kiosk orders refund --card` at the counter: the money goes back through the Stripe simulator."""

from __future__ import annotations

from kiosk.core.models import Product
from tests.cli.conftest import Run, as_json
from tests.cli.stripe_thread import ThreadSim, stripe_sim
from tests.cli.test_stripe_cli import paired, provisioned

__all__ = ["paired", "provisioned", "stripe_sim"]  # fixtures, used by name below


def test_a_card_refund_goes_back_to_the_card_at_once_and_only_once(
    loaded: Run, stripe_sim: ThreadSim, demo_products: list[Product], paired: str
) -> None:
    stripe_sim.call(setattr, stripe_sim.handle.terminal, "auto_present_ms", 0)  # a tap at once
    a = demo_products[0]
    code, out, err = loaded("sale", "--item", f"{a.sku}:2", "--card", "--json")
    assert code == 0, err
    sale = as_json(out)
    intent = sale["card"]["reference"]
    code, out, err = loaded("orders", "refund", sale["number"], "--line", f"{a.sku}:1", "--card")
    assert code == 0, err
    assert "went back to the card" in out
    (kept,) = stripe_sim.handle.state.refunds.values()
    assert kept["payment_intent"] == intent
    code, out, _ = loaded("orders", "show", sale["number"], "--json")
    (refund,) = as_json(out)["refunds"]
    assert refund["card_refund"] == kept["id"]
    assert kept["metadata"]["refund_id"] == refund["refund_id"]
    assert kept["amount"] == refund["amount"]["minor"]
    assert refund["status"] == "pending_sync"  # the store's part goes with the next upload
    # The rest goes back too; nothing more than was charged ever can.
    code, out, err = loaded("orders", "refund", sale["number"], "--card", "--json")
    assert code == 0, err
    assert as_json(out)["card_refund"]
    assert len(stripe_sim.handle.state.refunds) == 2
    given = sum(r["amount"] for r in stripe_sim.handle.state.refunds.values())
    assert given == stripe_sim.handle.state.payment_intents[intent]["amount"]
    code, _, err = loaded("orders", "refund", sale["number"], "--card")
    assert code == 2
    assert "already refunded in full" in err
