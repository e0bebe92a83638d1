"""A card sale's time and requests: Pay tapped -> approved, against the Stripe simulator.

What is timed is what the Pay button runs (SaleSession.pay_card: the attempt written to SQLite,
then the reader's charge through the real `stripe` library) with the simulator answering each
request after `latency_ms`. The customer taps the card as soon as the reader shows the payment,
so the floor is the sum of the requests' own latencies and what is left is ours: waits between
polls, the library, SQLite. Requests are counted from the simulator's log: a card sale's own
(create, process, capture) and the polls of the reader while its action was in progress.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from kiosk.checkout import Checkout
from kiosk.counter.session import SaleSession
from kiosk.hardware.fake import FakePrinter
from kiosk.payments import stripe_setup
from kiosk.payments.stripe_terminal import StripeTerminalReader, close_client, connect_client
from kiosk.sim.stripe import running_stripe_sim
from kiosk.store.db import Database
from tests.bench.stats import figure
from tests.counter.till import fill, stock_shop

OVERHEAD_TARGET = 1.2  # elapsed / sum of the requests' latencies
OWN_REQUESTS_TARGET = 4  # per sale, besides the polls while the reader waits for the card
SALES = 5


def _is_poll(record: Any) -> bool:
    return record.method == "GET" and "/terminal/readers/" in f"/{record.path}"


async def card_sale(
    tmp: Path, *, latency_ms: float = 100, sales: int = SALES
) -> list[dict[str, Any]]:
    db = await Database.open(tmp / "card.db")
    await stock_shop(db)
    runs: list[float] = []
    floors: list[float] = []
    own: list[int] = []
    polls: list[int] = []
    try:
        async with running_stripe_sim(latency_ms=latency_ms, auto_present_ms=0) as sim:
            async with stripe_setup.stripe_account(sim.restricted_key, sim.url) as api:
                location = await api.call(
                    "terminal.locations.create",
                    {"display_name": "Bench", "address": {"country": "DE", "city": "Köln"}},
                )
                made = await stripe_setup.pair(api, "simulated-s710", location["id"], "Bench")
            client = connect_client(sim.restricted_key, sim.url)
            try:
                reader = StripeTerminalReader(client, made["id"])
                checkout = Checkout(db, order_prefix="B-", cashier="bench")
                for _ in range(sales):
                    session = SaleSession(db, checkout, FakePrinter(), reader)
                    await session.start()
                    await fill(session)
                    before = len(sim.requests)
                    started = time.perf_counter()
                    result = await session.pay_card()
                    elapsed = time.perf_counter() - started
                    assert result.approved, result
                    await session.complete()
                    sent = sim.requests[before:]
                    runs.append(elapsed)
                    floors.append(len(sent) * latency_ms / 1000)
                    polls.append(sum(1 for r in sent if _is_poll(r)))
                    own.append(len(sent) - polls[-1])
            finally:
                await close_client(client)
    finally:
        await db.close()
    ratios = [r / f for r, f in zip(runs, floors, strict=True)]
    ratio = statistics.median(ratios)
    worst_own = max(own)
    return [
        figure(
            "card_sale_pay_to_approved_s",
            statistics.median(runs),
            "s",
            runs_s=[round(r, 4) for r in runs],
            latency_ms=latency_ms,
            baseline_value=round(statistics.median(floors), 4),
            baseline="the sum of the requests' latencies at the simulator",
        ),
        figure(
            "card_sale_vs_latencies",
            ratio,
            "x",
            target=OVERHEAD_TARGET,
            met=ratio <= OVERHEAD_TARGET,
            runs=[round(r, 3) for r in ratios],
        ),
        figure(
            "card_sale_requests",
            worst_own,
            "requests",
            target=OWN_REQUESTS_TARGET,
            met=worst_own <= OWN_REQUESTS_TARGET,
            polls_while_in_progress=polls,
            note="besides the polls of the reader while its action was in progress",
        ),
    ]
