"""The Stripe Terminal reader: approvals, declines in words, cancels, faults, exactly once."""

from __future__ import annotations

import asyncio

import pytest
import stripe

from kiosk.core.models import CardResult
from kiosk.payments.base import (
    CardReader,
    PaymentUnknown,
    ReaderError,
    ReaderFault,
    ReaderState,
    WaitsForCard,
)
from kiosk.payments.stripe_outcomes import DECLINES
from kiosk.payments.stripe_terminal import StripeTerminalReader
from kiosk.sim.stripe import StripeSimHandle
from tests.payments.conftest import FAST, GBP, ORDER, PAY


async def pay(
    sim: StripeSimHandle, reader: StripeTerminalReader, rid: str, card: str = "4242424242424242"
) -> CardResult:
    """Charge PAY while the customer taps `card` once the reader asks for it."""
    task = asyncio.create_task(reader.charge(PAY, GBP))
    await sim.terminal.wait_action(rid, "in_progress")
    sim.terminal.tap(rid, card)
    return await task


def intents(sim: StripeSimHandle) -> list[dict[str, object]]:
    return list(sim.state.payment_intents.values())


async def test_an_approval_carries_the_card_details_in_three_requests_and_the_polls(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str
) -> None:
    assert isinstance(card_reader, CardReader)
    assert (await card_reader.status()).state is ReaderState.READY
    before = len(sim.requests)
    result = await pay(sim, card_reader, reader_id)
    assert result.approved
    assert (result.amount, result.card_brand, result.card_last4) == (GBP, "Visa", "4242")
    assert (result.entry_mode, len(result.auth_code), result.message) == (
        "Contactless",
        6,
        "Approved",
    )
    [intent] = intents(sim)
    assert result.reference == intent["id"]
    assert intent["status"] == "succeeded"
    assert intent["metadata"] == {"order_id": ORDER, "attempt": "1"}
    assert (intent["capture_method"], intent["payment_method_types"]) == (
        "manual",
        ["card_present"],
    )
    sent = [(r.method, r.path.rsplit("/", 1)[-1], r.idempotency_key) for r in sim.requests[before:]]
    writes = [s for s in sent if s[0] == "POST"]
    assert writes == [
        ("POST", "payment_intents", f"{PAY}:create"),
        ("POST", "process_payment_intent", f"{PAY}:process:1"),
        ("POST", "capture", f"{PAY}:capture"),
    ]
    assert {s[:2] for s in sent if s[0] != "POST"} <= {("GET", reader_id)}, sent


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("insufficient_funds", "Insufficient funds"),
        ("expired_card", "Expired card"),
        ("incorrect_pin", "Incorrect PIN"),
        ("card_declined", "Card declined"),
        ("pin_try_exceeded", "Too many PIN attempts: try another card"),
        ("stolen_card", "Card declined: ask for another card"),
        ("processing_error", "The card could not be processed: try again"),
    ],
)
async def test_each_decline_in_words(
    sim: StripeSimHandle,
    card_reader: StripeTerminalReader,
    reader_id: str,
    code: str,
    words: str,
) -> None:
    sim.terminal.decline_next(code)
    result = await pay(sim, card_reader, reader_id)
    assert not result.approved
    assert result.message == words
    assert result.code == ("generic_decline" if code == "card_declined" else code)
    [intent] = intents(sim)
    assert intent["status"] == "canceled"  # final for its id: no reader can take it later


async def test_a_declining_test_card_reads_as_its_decline(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str
) -> None:
    result = await pay(sim, card_reader, reader_id, card="4000000000009995")
    assert (result.approved, result.message) == (False, DECLINES["insufficient_funds"])


async def test_the_customer_cancels_on_the_reader(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str
) -> None:
    task = asyncio.create_task(card_reader.charge(PAY, GBP))
    await sim.terminal.wait_action(reader_id, "in_progress")
    assert (await card_reader.status()).state is ReaderState.BUSY
    sim.terminal.customer_cancels(reader_id)
    result = await task
    assert (result.approved, result.message, result.code) == (
        False,
        "Cancelled",
        "customer_canceled",
    )
    assert intents(sim)[0]["status"] == "canceled"


async def test_staff_cancel_ends_the_payment_as_cancelled(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str
) -> None:
    task = asyncio.create_task(card_reader.charge(PAY, GBP))
    await sim.terminal.wait_action(reader_id, "in_progress")
    await card_reader.cancel()
    result = await task
    assert (result.approved, result.message) == (False, "Cancelled")
    assert sim.state.readers[reader_id]["action"] is None
    assert intents(sim)[0]["status"] == "canceled"
    await card_reader.cancel()  # nothing running: nothing happens


async def test_an_offline_reader_says_so_and_charges_nothing(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str
) -> None:
    sim.terminal.set_online(reader_id, False)
    status = await card_reader.status()
    assert status.state is ReaderState.OFFLINE
    assert "offline" in status.detail
    with pytest.raises(ReaderError, match="The card reader is offline") as raised:
        await card_reader.charge(PAY, GBP)
    assert raised.value.fault is ReaderFault.OFFLINE  # the screen's "reader offline"
    assert sim.state.charges == {}


async def test_a_busy_reader_says_so(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str
) -> None:
    sim.terminal.set_busy(reader_id)
    with pytest.raises(ReaderError, match="busy") as raised:
        await card_reader.charge(PAY, GBP)
    assert raised.value.fault is ReaderFault.BUSY
    assert sim.state.charges == {}


async def test_a_second_payment_while_one_waits_is_refused(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str
) -> None:
    task = asyncio.create_task(card_reader.charge(PAY, GBP))
    await sim.terminal.wait_action(reader_id, "in_progress")
    with pytest.raises(ReaderError, match="busy") as raised:
        await card_reader.charge(f"{ORDER}:card:2", GBP)
    assert raised.value.fault is ReaderFault.BUSY
    sim.terminal.tap(reader_id)
    assert (await task).approved


@pytest.mark.parametrize("step", ["process_payment_intent", "capture"])
async def test_a_lost_answer_after_stripe_acted_is_resolved_without_a_second_charge(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str, step: str
) -> None:
    task = asyncio.create_task(card_reader.charge(PAY, GBP))
    if step == "capture":
        await sim.terminal.wait_action(reader_id, "in_progress")
        [intent] = intents(sim)
        sim.faults.add("drop_after_commit", path=f"payment_intents/{intent['id']}/capture")
    else:  # before the reader is asked: its answer that the reader took it is lost
        sim.faults.add("drop_after_commit", path=f"terminal/readers/{reader_id}/{step}")
        await sim.terminal.wait_action(reader_id, "in_progress")
    sim.terminal.tap(reader_id)
    result = await task
    assert result.approved
    assert [f[0] for f in sim.faults.fired] == ["drop_after_commit"]
    [intent] = intents(sim)
    assert intent["status"] == "succeeded"
    assert len(sim.state.charges) == 1
    assert result.card_last4 == "4242"


async def test_the_same_payment_id_twice_charges_once(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str
) -> None:
    first = await pay(sim, card_reader, reader_id)
    again = await card_reader.charge(PAY, GBP)
    assert again == first
    with pytest.raises(ValueError, match="another amount"):
        await card_reader.charge(PAY, GBP + GBP)
    assert len(sim.state.charges) == 1


async def test_after_a_restart_the_same_id_finds_its_payment_and_charges_nothing_more(
    sim: StripeSimHandle,
    card_reader: StripeTerminalReader,
    client: stripe.StripeClient,
    reader_id: str,
) -> None:
    first = await pay(sim, card_reader, reader_id)
    restarted = StripeTerminalReader(client, reader_id, poll=FAST, retry=FAST)
    assert await restarted.charge(PAY, GBP) == first
    assert len(sim.state.charges) == 1


async def test_a_restart_while_the_reader_waits_follows_the_same_payment(
    sim: StripeSimHandle,
    card_reader: StripeTerminalReader,
    client: stripe.StripeClient,
    reader_id: str,
) -> None:
    gone = asyncio.create_task(card_reader.charge(PAY, GBP))
    await sim.terminal.wait_action(reader_id, "in_progress")
    running = card_reader._running
    assert running is not None
    running[2].cancel()  # the app stopped while the customer looked for the card
    with pytest.raises(asyncio.CancelledError):
        await gone
    restarted = StripeTerminalReader(client, reader_id, poll=FAST, retry=FAST)
    task = asyncio.create_task(restarted.charge(PAY, GBP))
    await sim.faults.wait_for_requests(sim.faults.seen + 3)  # create replayed, intent, reader
    sim.terminal.tap(reader_id)
    assert (await task).approved
    assert len(sim.state.payment_intents) == 1
    assert len(sim.state.charges) == 1


async def test_the_status_is_asked_of_stripe_at_most_once_a_while(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str
) -> None:
    before = len(sim.requests)
    for _ in range(5):  # the screen's once a second
        assert (await card_reader.status()).ready
    assert len(sim.requests) == before + 1


@pytest.mark.parametrize("delivered", [False, True])
async def test_a_reader_timeout_is_resolved_by_looking_at_the_reader(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str, delivered: bool
) -> None:
    sim.terminal.time_out_next(reader_id, delivered=delivered)
    if not delivered:  # it never reached the reader: nothing was charged, and it says so
        with pytest.raises(ReaderError, match="did not answer") as raised:
            await card_reader.charge(PAY, GBP)
        assert raised.value.fault is ReaderFault.TIMEOUT
        assert sim.state.charges == {}
        return
    result = await pay(sim, card_reader, reader_id)  # it did: the payment goes on
    assert result.approved
    assert len(sim.state.charges) == 1


async def test_stripe_lost_mid_payment_is_unknown_then_resolved_under_the_same_id(
    sim: StripeSimHandle, client: stripe.StripeClient, reader_id: str
) -> None:
    reader = StripeTerminalReader(client, reader_id, poll=FAST, retry=FAST, unreachable_polls=3)
    task = asyncio.create_task(reader.charge(PAY, GBP))
    await sim.terminal.wait_action(reader_id, "in_progress")
    # aiohttp sends an idempotent GET again on a dropped kept-alive connection: drop plenty.
    sim.faults.add("drop", method="GET", path=f"terminal/readers/{reader_id}", count=100)
    with pytest.raises(PaymentUnknown):
        await task  # the customer may be tapping: not "declined", not "nothing charged"
    sim.faults.clear()
    sim.terminal.tap(reader_id)
    result = await reader.charge(PAY, GBP)  # the same id: the same PaymentIntent, followed
    assert result.approved
    assert len(sim.state.payment_intents) == 1
    assert len(sim.state.charges) == 1


async def test_staff_cancel_that_crosses_the_reader_command_still_cancels(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str
) -> None:
    sim.faults.add("timeout", path=f"terminal/readers/{reader_id}/process_payment_intent")
    task = asyncio.create_task(card_reader.charge(PAY, GBP))
    await sim.faults.wait_until_held()
    await card_reader.cancel()  # reaches the reader before the payment does
    sim.faults.release()
    result = await task
    assert (result.approved, result.message) == (False, "Cancelled")
    assert sim.state.readers[reader_id]["action"] is None
    assert intents(sim)[0]["status"] == "canceled"


async def test_after_a_restart_a_declined_id_is_still_declined_in_the_same_words(
    sim: StripeSimHandle,
    card_reader: StripeTerminalReader,
    client: stripe.StripeClient,
    reader_id: str,
) -> None:
    sim.terminal.decline_next("expired_card")
    first = await pay(sim, card_reader, reader_id)
    restarted = StripeTerminalReader(client, reader_id, poll=FAST, retry=FAST)
    again = await restarted.charge(PAY, GBP)
    assert (again.approved, again.message, again.reference) == (
        False,
        "Expired card",
        first.reference,
    )
    assert sim.state.readers[reader_id]["action"]["status"] == "failed"  # not asked again


async def test_the_reader_says_while_it_waits_for_the_card(
    sim: StripeSimHandle, card_reader: StripeTerminalReader, reader_id: str
) -> None:
    assert isinstance(card_reader, WaitsForCard)
    assert card_reader.pending is None
    task = asyncio.create_task(card_reader.charge(PAY, GBP))
    assert await card_reader.wait_pending() == PAY  # the action is in progress: a person's turn
    assert card_reader.pending == PAY
    sim.terminal.tap(reader_id)
    assert (await task).approved
    assert card_reader.pending is None
