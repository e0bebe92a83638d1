"""The simulated card reader: idempotent charges, declines, the interactive mode, offline."""

from __future__ import annotations

import asyncio

import pytest

from kiosk.core.models import CardResult
from kiosk.core.money import Money
from kiosk.payments.base import CardReader, ReaderError, ReaderState, ReaderStatus
from kiosk.payments.fake import Charge, PendingCharge, SimulatedReader

PID = "6f1c2a4e-1111-4222-8333-944455556666:card:1"


def gbp(minor: int) -> Money:
    return Money(minor, "GBP")


async def test_approves_by_default_with_a_simulated_card() -> None:
    reader = SimulatedReader()
    assert isinstance(reader, CardReader)
    assert await reader.status() == ReaderStatus(ReaderState.READY)
    result = await reader.charge(PID, gbp(1234))
    assert result == CardResult(
        True,
        gbp(1234),
        "pi_sim_1",
        "Visa",
        "4242",
        "Approved",
        entry_mode="Contactless",
        auth_code="000001",
    )
    second = await reader.charge("other:card:1", gbp(500))
    assert (second.reference, second.auth_code) == ("pi_sim_2", "000002")
    assert reader.charges == [
        Charge(PID, gbp(1234), result),
        Charge("other:card:1", gbp(500), second),
    ]


async def test_the_same_payment_id_is_charged_once() -> None:
    reader = SimulatedReader()
    first = await reader.charge(PID, gbp(1234))
    again = await reader.charge(PID, gbp(1234))  # a retry after a crash, a double tap
    assert again is first
    assert len(reader.charges) == 1


async def test_a_concurrent_double_call_is_charged_once() -> None:
    reader = SimulatedReader()
    a, b = await asyncio.gather(reader.charge(PID, gbp(1234)), reader.charge(PID, gbp(1234)))
    assert a is b
    assert a.approved
    assert len(reader.charges) == 1


async def approve_when_waiting(reader: SimulatedReader) -> PendingCharge:
    pending = await reader.wait_pending()
    assert reader.approve()
    return pending


async def test_a_double_tap_while_waiting_for_the_card_joins_the_first_charge() -> None:
    reader = SimulatedReader(interactive=True)
    # gather starts its tasks in order: both calls are at the reader before the approval.
    first, second, pending = await asyncio.gather(
        reader.charge(PID, gbp(1234)), reader.charge(PID, gbp(1234)), approve_when_waiting(reader)
    )
    assert pending == PendingCharge(PID, gbp(1234))
    assert first is second
    assert first.approved
    assert len(reader.charges) == 1


async def test_a_caller_that_gives_up_leaves_the_charge_for_its_retry() -> None:
    reader = SimulatedReader(interactive=True)
    gone = asyncio.create_task(reader.charge(PID, gbp(1234)))
    await reader.wait_pending()
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert reader.pending == PendingCharge(PID, gbp(1234))  # still on the reader
    retry, _ = await asyncio.gather(reader.charge(PID, gbp(1234)), approve_when_waiting(reader))
    assert retry.approved
    assert len(reader.charges) == 1


async def test_an_id_reused_for_another_amount_is_refused() -> None:
    reader = SimulatedReader()
    await reader.charge(PID, gbp(1234))
    with pytest.raises(ValueError, match="already used for another amount"):
        await reader.charge(PID, gbp(999))
    assert len(reader.charges) == 1


async def test_declines_are_final_for_their_id() -> None:
    reader = SimulatedReader()
    reader.decline_next()
    reader.approve_next()
    declined = await reader.charge(PID, gbp(1234))
    assert declined == CardResult(False, gbp(1234), message="Card declined: insufficient funds")
    assert await reader.charge(PID, gbp(1234)) is declined  # the same id never becomes approved
    retried = await reader.charge(PID.replace(":1", ":2"), gbp(1234))  # a new attempt, a new id
    assert retried.approved
    assert [c.result.approved for c in reader.charges] == [False, True]


async def test_decline_next_takes_a_reason() -> None:
    reader = SimulatedReader()
    reader.decline_next("Card expired")
    assert (await reader.charge(PID, gbp(100))).message == "Card expired"
    assert (await reader.charge("x:card:1", gbp(100))).approved  # one decision per charge


async def test_interactive_approve() -> None:
    reader = SimulatedReader(interactive=True)
    task = asyncio.create_task(reader.charge(PID, gbp(1234)))
    pending = await reader.wait_pending()
    assert pending.amount == gbp(1234)
    assert reader.pending == pending
    assert (await reader.status()).state is ReaderState.BUSY
    with pytest.raises(ReaderError, match="busy with another payment"):
        await reader.charge("other:card:1", gbp(1))
    assert reader.approve()
    assert not reader.approve()  # a second tap on Approve does nothing
    result = await task
    assert result.approved
    assert result.reference == "pi_sim_1"
    after: PendingCharge | None = reader.pending  # a fresh read, not the narrowed one above
    assert after is None
    assert (await reader.status()).state is ReaderState.READY


async def test_interactive_decline() -> None:
    reader = SimulatedReader(interactive=True)
    task = asyncio.create_task(reader.charge(PID, gbp(1234)))
    await reader.wait_pending()
    assert reader.decline("Card declined: do not honour")
    result = await task
    assert (result.approved, result.message, result.reference) == (
        False,
        "Card declined: do not honour",
        "",
    )


async def test_cancel_ends_a_waiting_charge_unpaid() -> None:
    reader = SimulatedReader(interactive=True)
    await reader.cancel()  # nothing waiting: nothing happens
    assert reader.charges == []
    task = asyncio.create_task(reader.charge(PID, gbp(1234)))
    await reader.wait_pending()
    await reader.cancel()
    result = await task
    assert (result.approved, result.message) == (False, "Cancelled")
    assert await reader.charge(PID, gbp(1234)) is result


async def test_queued_decisions_come_before_the_interactive_wait() -> None:
    reader = SimulatedReader(interactive=True)
    reader.decline_next()
    assert not (await reader.charge(PID, gbp(100))).approved
    assert reader.pending is None


async def test_offline_means_no_card_payments() -> None:
    reader = SimulatedReader()
    reader.set_online(False)
    status = await reader.status()
    assert status == ReaderStatus(
        ReaderState.OFFLINE, "No internet: card payments need a connection"
    )
    with pytest.raises(ReaderError, match="No internet: card payments need a connection"):
        await reader.charge(PID, gbp(1234))
    assert reader.charges == []
    reader.set_online(True)
    assert (await reader.charge(PID, gbp(1234))).approved


async def test_an_unavailable_reader_says_so() -> None:
    reader = SimulatedReader()
    reader.set_available(False)
    assert (await reader.status()).state is ReaderState.UNAVAILABLE
    with pytest.raises(ReaderError, match="not set up"):
        await reader.charge(PID, gbp(1234))


@pytest.mark.parametrize(
    ("payment_id", "amount", "message"),
    [
        (PID, gbp(0), "more than zero"),
        (PID, gbp(-100), "more than zero"),
        (PID, 12.34, "must be Money"),
        ("", gbp(100), "needs a payment id"),
        ("  ", gbp(100), "needs a payment id"),
    ],
)
async def test_amount_and_id_are_checked(payment_id: str, amount: object, message: str) -> None:
    reader = SimulatedReader()
    with pytest.raises(ValueError, match=message):
        await reader.charge(payment_id, amount)  # type: ignore[arg-type]
    assert reader.charges == []
