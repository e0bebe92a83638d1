"""Money back to a card: the narrow boundary the refund upload uses, and its fake.

`CardRefunds.refund` gives `refund.amount` back on the PaymentIntent that took the payment, at
most once per refund UUID: the provider's idempotency key is derived from it and the refund's
UUID travels in the provider's metadata, so an attempt whose outcome is unknown is found again
(`look_first`) instead of being made twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from kiosk.core.refunds import Refund


class CardRefundFailed(Exception):
    """The card refund did not happen, or may not have; the message says why in words.

    `retryable`: trying again later can help (no answer, rate limit, the provider failing, the
    key not accepted for now). Not retryable: the provider refused this refund for good (more
    than is left on the payment, the payment not found), so staff must look at it.
    """

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class CardRefunds(Protocol):
    """Refunds to the card that paid, exactly once per refund UUID."""

    async def refund(self, refund: Refund, payment_intent: str, *, look_first: bool) -> str:
        """Give `refund.amount` back on `payment_intent`; return the provider's refund id.

        `look_first`: an earlier attempt may have been made (its answer lost, or the process
        died): find it by the refund UUID before making one. Raises CardRefundFailed.
        """
        ...


@dataclass
class FakeCardRefunds:
    """Refunds kept in memory; `fail` queues errors for the next calls (lost = made, then lost)."""

    made: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # re id -> (uuid, pi, amt)
    fail: list[tuple[CardRefundFailed, bool]] = field(default_factory=list)  # (error, made first)
    calls: list[str] = field(default_factory=list)

    def by_refund(self, refund_id: str) -> list[str]:
        return [rid for rid, (uuid, _, _) in self.made.items() if uuid == refund_id]

    async def refund(self, refund: Refund, payment_intent: str, *, look_first: bool) -> str:
        self.calls.append("look+refund" if look_first else "refund")
        if look_first and self.by_refund(refund.id):
            return self.by_refund(refund.id)[0]
        error = self.fail.pop(0) if self.fail else None
        if error is not None and not error[1]:
            raise error[0]
        rid = f"re_fake_{len(self.made) + 1}"
        self.made[rid] = (refund.id, payment_intent, refund.amount.minor)
        if error is not None:
            raise error[0]
        return rid
