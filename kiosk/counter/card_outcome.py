"""What the pay screen shows after a card payment: each outcome its own words and buttons.

Decided here, without a window, from what the reader said (a CardResult, a ReaderError with its
fault, or PaymentUnknown); the screen only lays it out. `retry` is the button that charges again
(empty: none), `cash` whether the cash keys come back: never while the card may have been
charged, since taking cash then could make the customer pay twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.core.models import CardResult
from kiosk.payments.base import PaymentUnknown, ReaderError, ReaderFault

CANCELLED_CODES = frozenset({"customer_canceled", "canceled", "cancelled"})
NOTHING_CHARGED = "Nothing was charged."


class CardOutcomeKind(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    READER_OFFLINE = "reader_offline"
    READER_BUSY = "reader_busy"
    TIMEOUT = "timeout"
    NETWORK_LOST = "network_lost"  # mid-payment: the outcome is not known yet
    NO_INTERNET = "no_internet"  # card is unavailable offline; cash always works
    UNAVAILABLE = "unavailable"  # not set up, key refused, Stripe unreachable, a fault


@dataclass(frozen=True, slots=True)
class CardOutcome:
    kind: CardOutcomeKind
    title: str
    detail: str
    retry: str = "Try the card again"
    cash: bool = True

    @property
    def approved(self) -> bool:
        return self.kind is CardOutcomeKind.APPROVED


def of_result(result: CardResult) -> CardOutcome:
    """An approval, a decline (its reason in words) or a cancel, from either side."""
    if result.approved:
        card = " ".join(p for p in (result.card_brand, _last4(result.card_last4)) if p)
        read = f" · {result.entry_mode}" if result.entry_mode else ""
        return CardOutcome(
            CardOutcomeKind.APPROVED, "Card approved", f"{card or 'Card'}{read}", retry=""
        )
    if result.code in CANCELLED_CODES or result.message == "Cancelled":
        return CardOutcome(
            CardOutcomeKind.CANCELLED,
            "Card payment cancelled",
            f"{NOTHING_CHARGED} Try the card again, or take cash.",
        )
    reason = result.message or "Card declined"
    return CardOutcome(
        CardOutcomeKind.DECLINED,
        "Card declined",
        f"{reason}. {NOTHING_CHARGED} Ask for another card, or take cash.",
    )


def of_error(exc: ReaderError | PaymentUnknown) -> CardOutcome:
    """The reader could not try (nothing charged), or the outcome never came back."""
    if isinstance(exc, PaymentUnknown):
        return CardOutcome(
            CardOutcomeKind.NETWORK_LOST,
            "Card payment not confirmed",
            "The connection was lost during the payment, so the card may have been charged. "
            "Do not take cash: tap Check again once the connection is back.",
            retry="Check again",
            cash=False,
        )
    said = str(exc)
    kinds = {
        ReaderFault.OFFLINE: (CardOutcomeKind.READER_OFFLINE, "Card reader offline"),
        ReaderFault.BUSY: (CardOutcomeKind.READER_BUSY, "Card reader busy"),
        ReaderFault.TIMEOUT: (CardOutcomeKind.TIMEOUT, "Card reader did not answer"),
        ReaderFault.NO_INTERNET: (CardOutcomeKind.NO_INTERNET, "Card unavailable offline"),
    }
    kind, title = kinds.get(exc.fault, (CardOutcomeKind.UNAVAILABLE, "Card unavailable"))
    if kind is CardOutcomeKind.NO_INTERNET:
        return CardOutcome(kind, title, f"{said}. Cash always works.", retry="")
    return CardOutcome(kind, title, f"{_sentence(said)} {NOTHING_CHARGED} Or take cash.")


def _last4(last4: str) -> str:
    return f"•••• {last4}" if last4 else ""


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."
