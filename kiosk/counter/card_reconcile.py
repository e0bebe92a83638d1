"""At start: card attempts that never became a sale are settled at Stripe and closed here.

The store part of payments.stripe_reconcile: the attempts without an order are read, decided
and carried out at Stripe, and each settled one is recorded as finished (not approved, with
what was done), so it is never settled twice and the order's next attempt gets a new key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.core.models import CardResult
from kiosk.payments.stripe_api import StripeApi
from kiosk.payments.stripe_reconcile import Action, Decision, OpenAttempt, reconcile
from kiosk.store import card_attempts
from kiosk.store.db import Database


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """What was done, for staff."""

    decisions: tuple[Decision, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "settled": [
                {
                    "payment_id": d.payment_id,
                    "action": str(d.action),
                    "amount": d.amount.minor,
                    "currency": d.amount.currency,
                    "reference": d.reference,
                    "detail": d.detail,
                }
                for d in self.decisions
            ]
        }

    def for_staff(self, locale: str) -> str:
        """What staff must know, in sentences ("" when nothing was left unfinished)."""
        said = {
            Action.REFUNDED: "was charged when the till stopped before the sale was saved: it "
            "has been refunded in full",
            Action.CANCELLED: "was held on a card when the till stopped: the hold is released "
            "and nothing was charged",
            Action.UNKNOWN: "could not be checked with Stripe yet: the till asks again at the "
            "next start",
        }
        return " ".join(
            f"A card payment of {d.amount.format(locale)} {said[d.action]}."
            for d in self.decisions
            if d.action in said
        )

    def text(self) -> str:
        if not self.decisions:
            return "No card payment was left unfinished."
        return "\n".join(
            f"{d.payment_id}: {d.action} ({d.amount.minor} {d.amount.currency} minor units)"
            f" {d.reference} - {d.detail}"
            for d in self.decisions
        )


async def settle_open_attempts(
    db: Database, api: StripeApi, *, started_before: datetime
) -> ReconcileReport:
    """Settle every attempt without an order started before `started_before` (see module)."""
    found = await card_attempts.without_order(db, started_before=started_before)
    plain = [OpenAttempt(o.attempt.key, o.attempt.amount, o.reference) for o in found]
    decisions = await reconcile(api, plain)
    for row, decision in zip(found, decisions, strict=True):
        if decision.action is Action.UNKNOWN:
            continue  # asked again at the next start
        closed = CardResult(
            False, decision.amount, reference=decision.reference, message=decision.detail
        )
        await card_attempts.finish(db, row.attempt, closed)
    return ReconcileReport(tuple(decisions))
