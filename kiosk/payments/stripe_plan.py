"""What a card charge sends, and when: the PaymentIntent's params, the keys, the poll schedule.

Plain values (no `stripe` import): payments.stripe_terminal sends them, the tests read them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kiosk.core.money import Money

Obj = dict[str, Any]
# Polling the reader brings the PaymentIntent along: a decline's code without another request.
EXPAND_INTENT = ["action.process_payment_intent.payment_intent"]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits that grow by `factor` from `first_s` up to `cap_s`."""

    first_s: float = 0.25
    factor: float = 1.5
    cap_s: float = 2.0

    def delays(self) -> Iterator[float]:
        delay = self.first_s
        while True:
            yield delay
            delay = min(self.cap_s, delay * self.factor)


# The first look comes soon (a card tapped at once is seen within a request's time: the bench's
# "Pay -> approved" stays within 1.2x of its requests' latencies), then doubles to 2 s, so a
# customer who takes 5 s costs about 7 polls and the fleet's shared rate limit is not spent.
POLL = Backoff(0.05, 2.0, 2.0)
RETRY = Backoff(0.5, 2.0, 4.0)  # before re-sending a write whose answer was lost or refused


def split_payment_id(payment_id: str) -> tuple[str, str]:
    """("<uuid>", "<n>") of "<uuid>:card:<n>"; the whole id and "1" for any other shape."""
    order_id, sep, attempt = payment_id.rpartition(":card:")
    return (order_id, attempt) if sep and order_id else (payment_id, "1")


def intent_params(payment_id: str, amount: Money) -> Obj:
    """What the PaymentIntent of `payment_id` is created with (the same every time: replays)."""
    order_id, attempt = split_payment_id(payment_id)
    return {
        "amount": amount.minor,
        "currency": amount.currency.lower(),
        "payment_method_types": ["card_present"],
        "capture_method": "manual",
        "metadata": {"order_id": order_id, "attempt": attempt},
    }


def ours(reader: Obj, intent_id: str) -> Obj | None:
    """The reader's action when it is about `intent_id`, else None."""
    action: Obj | None = reader.get("action")
    if not action or action.get("type") != "process_payment_intent":
        return None
    shown = (action.get("process_payment_intent") or {}).get("payment_intent")
    shown_id = shown.get("id") if isinstance(shown, dict) else shown
    return action if shown_id == intent_id else None
