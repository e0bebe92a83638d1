"""At start: what to do with each card payment the till stopped in the middle of.

Given the card attempts that have no order (plain values: the counter reads them from the
store), each PaymentIntent is looked up and settled at Stripe:
  captured, sale known      -> COMPLETE (the caller commits the sale with the result)
  captured, no sale         -> REFUNDED in full (key "<payment id>:refund")
  authorised, sale known    -> captured, then COMPLETE
  authorised, no sale       -> CANCELLED: the hold on the customer's card is released
  never charged             -> FORGET (a PaymentIntent still open is cancelled, so no reader
                               can take it later)
  Stripe could not be asked -> UNKNOWN: left as it is for the next start.
An attempt whose answer never came back has no reference: its PaymentIntent is found by sending
its create again under the same key and params, which Stripe answers with the first one for
24 hours (a PaymentIntent that did not exist is made now, and cancelled as never charged).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kiosk.core.models import CardResult
from kiosk.core.money import Money
from kiosk.payments import stripe_outcomes as words
from kiosk.payments.stripe_api import StripeApi
from kiosk.payments.stripe_errors import Kind, StripeProblem
from kiosk.payments.stripe_plan import intent_params

CHARGE = {"expand": ["latest_charge"]}


class Action(StrEnum):
    COMPLETE = "complete"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    FORGET = "forget"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class OpenAttempt:
    """A card attempt without an order: its key, amount, the PaymentIntent id if it is known."""

    payment_id: str
    amount: Money
    reference: str = ""
    sale_known: bool = False  # the caller can still commit this sale (it has the cart)


@dataclass(frozen=True, slots=True)
class Decision:
    payment_id: str
    action: Action
    amount: Money
    reference: str = ""  # the PaymentIntent
    detail: str = ""  # for staff: what was done and why
    result: CardResult | None = None  # COMPLETE: the approval to commit the sale with


async def reconcile(api: StripeApi, attempts: Iterable[OpenAttempt]) -> list[Decision]:
    """One Decision per attempt, in order; each is carried out at Stripe (exactly once: keys)."""
    return [await _settle(api, attempt) for attempt in attempts]


async def _settle(api: StripeApi, a: OpenAttempt) -> Decision:
    try:
        intent = await _find(api, a)
        status, pi = str(intent["status"]), str(intent["id"])
        if status in ("succeeded", "requires_capture") and a.sale_known:
            if status == "requires_capture":
                key = f"{a.payment_id}:capture"
                intent = await api.call("payment_intents.capture", pi, CHARGE, idempotency_key=key)
            done = words.approved(intent, a.amount)
            return Decision(a.payment_id, Action.COMPLETE, a.amount, pi, "Charged", done)
        if status == "succeeded":
            refund = {"payment_intent": pi}
            await api.call("refunds.create", refund, idempotency_key=f"{a.payment_id}:refund")
            return Decision(
                a.payment_id,
                Action.REFUNDED,
                a.amount,
                pi,
                "Charged but no sale was saved: refunded",
            )
        if status == "processing":
            return Decision(a.payment_id, Action.UNKNOWN, a.amount, pi, "Stripe is still at it")
        if status != "canceled":
            key = f"{a.payment_id}:cancel"
            await api.call("payment_intents.cancel", pi, idempotency_key=key)
        if status == "requires_capture":
            return Decision(
                a.payment_id,
                Action.CANCELLED,
                a.amount,
                pi,
                "Approved but no sale was saved: the hold on the card was released",
            )
        return Decision(a.payment_id, Action.FORGET, a.amount, pi, "Never charged")
    except StripeProblem as exc:
        if exc.kind in (Kind.CONNECTION, Kind.RATE, Kind.API):
            return Decision(a.payment_id, Action.UNKNOWN, a.amount, a.reference, str(exc))
        raise


async def _find(api: StripeApi, a: OpenAttempt) -> dict[str, Any]:
    if not a.reference:
        key = f"{a.payment_id}:create"
        made = await api.call(
            "payment_intents.create", intent_params(a.payment_id, a.amount), idempotency_key=key
        )
        reference = str(made["id"])
    else:
        reference = a.reference
    return await api.call("payment_intents.retrieve", reference, CHARGE)
