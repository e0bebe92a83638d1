"""The card reader as the app sees it: a narrow Protocol (Stripe Terminal, the simulated one)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from kiosk.core.models import CardResult
from kiosk.core.money import Money

OFFLINE_DETAIL = "No internet: card payments need a connection"


class ReaderState(StrEnum):
    """What the reader can do now. Only READY takes a new charge; the reader adapter moves it."""

    READY = "ready"
    BUSY = "busy"  # a charge is waiting for the card
    OFFLINE = "offline"  # no connection: the server-driven reader cannot charge offline
    UNAVAILABLE = "unavailable"  # no reader set up, or it does not answer


@dataclass(frozen=True, slots=True)
class ReaderStatus:
    state: ReaderState
    detail: str = ""  # for people: "No internet: card payments need a connection"

    @property
    def ready(self) -> bool:
        return self.state is ReaderState.READY


class ReaderFault(StrEnum):
    """Why the reader could not try: the screens pick their words and buttons by it."""

    NO_INTERNET = "no_internet"  # this device is offline: a server-driven reader needs it
    UNREACHABLE = "unreachable"  # Stripe did not answer
    OFFLINE = "offline"  # the reader itself is offline
    BUSY = "busy"  # the reader is doing something else
    TIMEOUT = "timeout"  # the reader did not answer the command
    NOT_SET_UP = "not_set_up"  # the key was refused, or the reader is not registered any more
    FAULT = "fault"  # anything else the reader or Stripe refused


class ReaderError(RuntimeError):
    """The reader could not even try (nothing was charged); the message is for people."""

    def __init__(self, message: str, fault: ReaderFault = ReaderFault.FAULT) -> None:
        super().__init__(message)
        self.fault = fault


class PaymentUnknown(RuntimeError):
    """Whether the card was charged could not be learned (Stripe unreachable mid-payment).

    The attempt stays open: charging the same payment id again resolves it (and never charges
    twice); a new id must not be tried until it has. The message is for people.
    """


def check_charge(payment_id: str, amount: Money) -> None:
    """Raise ValueError unless `payment_id` is non-empty text and `amount` is more than zero."""
    if not isinstance(payment_id, str) or not payment_id.strip():
        raise ValueError(f"a card payment needs a payment id, not {payment_id!r}")
    if not isinstance(amount, Money):
        raise ValueError(f"a card payment amount must be Money, not {type(amount).__name__}")
    if amount.minor <= 0:
        raise ValueError(f"a card payment must be more than zero, not {amount}")


@runtime_checkable
class WaitsForCard(Protocol):
    """A reader that says when a charge waits for the customer's card (tests and the app's
    "settled" wait for people, not for the card)."""

    @property
    def pending(self) -> object | None:
        """The charge waiting for a card, if one is."""
        ...

    async def wait_pending(self) -> object:
        """Return once a charge waits for a card."""
        ...


class ReaderLevers(Protocol):
    """A simulated reader's customer, for the demo: the pay sheet shows these as buttons."""

    def approve(self) -> object:
        """The customer presents a card that is approved."""
        ...

    def decline(self, reason: str = ...) -> object:
        """The customer presents a card that is declined."""
        ...

    async def cancel(self) -> None:
        """The customer cancels on the reader."""
        ...


@runtime_checkable
class CardReader(Protocol):
    """A card reader that charges an amount for one payment.

    Contract for `charge`: `payment_id` is an idempotency key (the order UUID plus a tender
    index, "<uuid>:card:1"). Calling it again with the same id, concurrently or after a retry,
    returns the same CardResult and never charges twice; a declined or cancelled result is final
    for its id, so a second attempt needs a new id. It raises ValueError for an amount that is
    not more than zero (or an id reused for another amount), ReaderError when the reader
    cannot try (offline, unavailable, busy with another payment: nothing was charged), and
    PaymentUnknown when the outcome could not be learned (retry the same id).
    """

    async def status(self) -> ReaderStatus: ...

    async def charge(self, payment_id: str, amount: Money) -> CardResult: ...

    async def cancel(self) -> None:
        """End a charge that is waiting for a card, as not approved; nothing if none is."""
