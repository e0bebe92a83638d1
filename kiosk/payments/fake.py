"""The simulated card reader of the demo and the tests: approves, declines, or waits to be told."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from kiosk.core.models import CardResult
from kiosk.core.money import Money
from kiosk.payments.base import (
    OFFLINE_DETAIL,
    ReaderError,
    ReaderFault,
    ReaderState,
    ReaderStatus,
    check_charge,
)

DEFAULT_DECLINE = "Card declined: insufficient funds"
CANCELLED = "Cancelled"
UNAVAILABLE_DETAIL = "The card reader is not set up"
BRAND, LAST4 = "Visa", "4242"
ENTRY_MODE = "Contactless"  # as kiosk.payments.stripe_outcomes words a tapped card


@dataclass(frozen=True, slots=True)
class Charge:
    """One distinct charge the reader made (approved or not)."""

    payment_id: str
    amount: Money
    result: CardResult


@dataclass(frozen=True, slots=True)
class PendingCharge:
    """A charge waiting for `approve()`, `decline()` or `cancel()` (interactive mode)."""

    payment_id: str
    amount: Money


class SimulatedReader:
    """A CardReader whose outcomes the demo or a test decides.

    Each charge takes the next queued decision (`approve_next`, `decline_next`); with none queued
    it is approved at once, or, in interactive mode, waits until `approve()`, `decline()` or
    `cancel()` is called (the demo shows Approve/Decline buttons meanwhile). `charges` records
    every distinct charge, so a test can assert a sale was charged once.
    """

    def __init__(self, *, interactive: bool = False) -> None:
        self.charges: list[Charge] = []
        self.interactive = interactive
        self._online = True
        self._available = True
        self._decisions: deque[str | None] = deque()  # None approves, text declines with it
        self._results: dict[str, CardResult] = {}
        self._pending: PendingCharge | None = None
        self._outcome: asyncio.Future[CardResult] | None = None  # the pending charge's
        self._pending_changed = asyncio.Event()
        self._approved = 0

    # -- what the demo and the tests set ----------------------------------------------------------

    def set_online(self, online: bool) -> None:
        self._online = online

    def set_available(self, available: bool) -> None:
        self._available = available

    def approve_next(self) -> None:
        self._decisions.append(None)

    def decline_next(self, reason: str = DEFAULT_DECLINE) -> None:
        self._decisions.append(reason)

    @property
    def pending(self) -> PendingCharge | None:
        """The charge waiting for a decision, if any."""
        return self._pending

    async def wait_pending(self) -> PendingCharge:
        """Return once a charge waits for a decision (at once if one already does)."""
        while self._pending is None:
            self._pending_changed.clear()
            await self._pending_changed.wait()
        return self._pending

    def approve(self) -> bool:
        """Approve the waiting charge; False when none was waiting (a second tap)."""
        return self._decide(None)

    def decline(self, reason: str = DEFAULT_DECLINE) -> bool:
        """Decline the waiting charge with `reason`; False when none was waiting."""
        return self._decide(reason)

    # -- CardReader -------------------------------------------------------------------------------

    async def status(self) -> ReaderStatus:
        if not self._available:
            return ReaderStatus(ReaderState.UNAVAILABLE, UNAVAILABLE_DETAIL)
        if not self._online:
            return ReaderStatus(ReaderState.OFFLINE, OFFLINE_DETAIL)
        if self._pending is not None:
            return ReaderStatus(ReaderState.BUSY, "Waiting for the card")
        return ReaderStatus(ReaderState.READY)

    async def charge(self, payment_id: str, amount: Money) -> CardResult:
        """See CardReader.charge: the same `payment_id` always gets the same result."""
        check_charge(payment_id, amount)
        known = self._results.get(payment_id)
        if known is not None:
            return self._same(known, payment_id, amount)
        if self._pending is not None and self._pending.payment_id == payment_id:
            running = self._outcome
            assert running is not None
            if self._pending.amount != amount:
                raise self._reused(payment_id)
        else:
            status = await self.status()
            if not status.ready:
                if status.state is ReaderState.BUSY:
                    raise ReaderError(
                        "The card reader is busy with another payment", ReaderFault.BUSY
                    )
                fault = ReaderFault.OFFLINE if status.state is ReaderState.OFFLINE else None
                raise ReaderError(status.detail, fault or ReaderFault.NOT_SET_UP)
            running = self._start(payment_id, amount)
        # Shielded: a caller that gives up (a closed screen) leaves the charge on the reader, and
        # a retry with the same id joins it instead of charging again.
        return self._same(await asyncio.shield(running), payment_id, amount)

    async def cancel(self) -> None:
        self._decide(CANCELLED)

    # -- inside ---------------------------------------------------------------------------------

    def _start(self, payment_id: str, amount: Money) -> asyncio.Future[CardResult]:
        future: asyncio.Future[CardResult] = asyncio.get_running_loop().create_future()
        self._pending, self._outcome = PendingCharge(payment_id, amount), future
        if self._decisions:
            self._decide(self._decisions.popleft())
        elif not self.interactive:
            self._decide(None)
        else:
            self._pending_changed.set()
        return future

    def _decide(self, decline: str | None) -> bool:
        """Finish the waiting charge: approved when `decline` is None, else declined with it."""
        pending, outcome = self._pending, self._outcome
        if pending is None or outcome is None:
            return False
        if decline is None:
            self._approved += 1
            result = CardResult(
                True,
                pending.amount,
                f"pi_sim_{self._approved}",
                BRAND,
                LAST4,
                "Approved",
                entry_mode=ENTRY_MODE,
                auth_code=f"{self._approved:06d}",  # six digits, as issuers' codes usually are
            )
        else:
            result = CardResult(False, pending.amount, message=decline)
        self._pending, self._outcome = None, None
        self._pending_changed.set()
        self._results[pending.payment_id] = result
        self.charges.append(Charge(pending.payment_id, pending.amount, result))
        outcome.set_result(result)
        return True

    def _same(self, result: CardResult, payment_id: str, amount: Money) -> CardResult:
        if result.amount != amount:
            raise self._reused(payment_id)
        return result

    @staticmethod
    def _reused(payment_id: str) -> ValueError:
        return ValueError(f"payment id {payment_id!r} was already used for another amount")
