"""Card refunds at Stripe: `POST /v1/refunds` on the sale's PaymentIntent, exactly once per refund.

Relied on (Stripe API reference, Refunds; Idempotent requests): a Refund is created with
`payment_intent` and `amount` (minor units; default all that is left), `reason` one of
duplicate | fraudulent | requested_by_customer, and `metadata`; more than is left is refused with
400 `amount_too_large`, an already fully refunded charge with `charge_already_refunded`. A request
re-sent under the same `Idempotency-Key` with the same parameters within 24 hours gets the first
answer and makes nothing new. `GET /v1/refunds?payment_intent=pi_...` lists that payment's refunds,
newest first, with their metadata.

So: the key is "<refund uuid>:card-refund", the metadata carries `refund_id` (and `order_id`),
and when an answer is lost (no connection, a timeout, a 5xx) or an earlier attempt may have been
made (`look_first`: the key may have expired) the PaymentIntent's refunds are listed and matched
on `refund_id` before anything is sent again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import stripe

from kiosk.core.refunds import Refund
from kiosk.payments.refunds import CardRefundFailed
from kiosk.payments.stripe_api import close_client, connect_client, plain

log = logging.getLogger(__name__)

LOST = (stripe.APIConnectionError, stripe.APIError, TimeoutError)
# Trouble that is not this refund's: the key, the account, or the provider asking us to wait.
FOR_NOW = (stripe.RateLimitError, stripe.AuthenticationError, stripe.PermissionError)


def idempotency_key(refund: Refund) -> str:
    return f"{refund.id}:card-refund"


def _words(exc: stripe.StripeError) -> str:
    return exc.user_message or str(exc) or type(exc).__name__


class StripeCardRefunds:
    """kiosk.payments.refunds.CardRefunds on a StripeClient (see the module docstring)."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    async def refund(self, refund: Refund, payment_intent: str, *, look_first: bool) -> str:
        if look_first:
            found = await self._find(refund, payment_intent)
            if found:
                return found
        params: dict[str, object] = {
            "payment_intent": payment_intent,
            "amount": refund.amount.minor,
            "reason": "requested_by_customer",
            "metadata": {"refund_id": refund.id, "order_id": refund.order_id},
        }
        try:
            made = await self.client.v1.refunds.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key(refund)},
            )
        except LOST as exc:
            log.warning("refund %s: card refund unknown (%s), looking it up", refund.id, exc)
            found = await self._find(refund, payment_intent)
            if found:
                return found
            raise CardRefundFailed(
                "Stripe did not answer the card refund; it is tried again", retryable=True
            ) from None
        except FOR_NOW as exc:
            raise CardRefundFailed(f"Stripe: {_words(exc)}", retryable=True) from None
        except stripe.StripeError as exc:  # invalid request, idempotency: refused for good
            raise CardRefundFailed(
                f"Stripe refused the card refund: {_words(exc)}", retryable=False
            ) from None
        return str(made.id)

    async def _find(self, refund: Refund, payment_intent: str) -> str:
        """The id of the refund on `payment_intent` that carries our refund UUID, or ""."""
        try:
            page = await self.client.v1.refunds.list_async(
                {"payment_intent": payment_intent, "limit": 100}
            )
        except stripe.StripeError as exc:
            raise CardRefundFailed(
                f"the card refund could not be looked up at Stripe: {_words(exc)}",
                retryable=True,
            ) from None
        except TimeoutError:
            raise CardRefundFailed(
                "the card refund could not be looked up at Stripe: no answer", retryable=True
            ) from None
        for item in page.data:
            if (plain(item).get("metadata") or {}).get("refund_id") == refund.id:
                return str(item.id)
        return ""


@asynccontextmanager
async def stripe_card_refunds(key: str, api_base: str = "") -> AsyncIterator[StripeCardRefunds]:
    """Card refunds on the account of `key` (Stripe itself, or the simulator at `api_base`)."""
    client = connect_client(key, api_base)
    try:
        yield StripeCardRefunds(client)
    finally:
        await close_client(client)
