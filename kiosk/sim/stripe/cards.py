"""Test cards a simulated reader can be presented, and what each card's issuer answers.

Relied on (Stripe "Test Stripe Terminal", simulated test cards, and the Terminal SDKs'
SimulatedCardType): 4242424242424242 Visa, 5555555555554444 Mastercard, 378282246310005 Amex
and the other standard numbers approve; 4000000000000002 declines with `card_declined`,
4000000000009995 `card_declined`/`insufficient_funds`, 4000000000009987 `lost_card`,
4000000000009979 `stolen_card`, 4000000000000069 `expired_card`, 4000000000000119
`processing_error`; 4001000360000005 asks for an online PIN and 4001007020000002 an offline PIN
(the charge's `cardholder_verification_method`). Stripe's decline codes include
`incorrect_pin` and `pin_try_exceeded` for card-reader payments (no test card makes them here:
the simulator's `decline_next` does). The customer-facing messages are Stripe's card-error ones.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_CARD = "4242424242424242"


@dataclass(frozen=True)
class Card:
    brand: str
    funding: str = "credit"
    cvm: str = "none"  # cardholder_verification_method
    decline: str | None = None  # a DECLINES key


@dataclass(frozen=True)
class Decline:
    """What the issuer says: the error `code`, its `decline_code`, the words for the customer."""

    code: str
    decline_code: str
    message: str


DECLINES = {
    "generic_decline": Decline("card_declined", "generic_decline", "Your card was declined."),
    "card_declined": Decline("card_declined", "generic_decline", "Your card was declined."),
    "insufficient_funds": Decline(
        "card_declined", "insufficient_funds", "Your card has insufficient funds."
    ),
    "lost_card": Decline("card_declined", "lost_card", "Your card was declined."),
    "stolen_card": Decline("card_declined", "stolen_card", "Your card was declined."),
    "expired_card": Decline("expired_card", "expired_card", "Your card has expired."),
    "incorrect_pin": Decline("card_declined", "incorrect_pin", "Your card was declined."),
    "pin_try_exceeded": Decline("card_declined", "pin_try_exceeded", "Your card was declined."),
    "processing_error": Decline(
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}

CARDS = {
    "4242424242424242": Card("visa"),
    "4000056655665556": Card("visa", funding="debit"),
    "5555555555554444": Card("mastercard"),
    "5200828282828210": Card("mastercard", funding="debit"),
    "5105105105105100": Card("mastercard", funding="prepaid"),
    "378282246310005": Card("amex"),
    "371449635398431": Card("amex"),
    "6011111111111117": Card("discover"),
    "3566002020360505": Card("jcb"),
    "6200000000000005": Card("unionpay"),
    "4000000000000002": Card("visa", decline="card_declined"),
    "4000000000009995": Card("visa", decline="insufficient_funds"),
    "4000000000009987": Card("visa", decline="lost_card"),
    "4000000000009979": Card("visa", decline="stolen_card"),
    "4000000000000069": Card("visa", decline="expired_card"),
    "4000000000000119": Card("visa", decline="processing_error"),
    "4001000360000005": Card("visa", cvm="online_pin"),
    "4001007020000002": Card("visa", cvm="offline_pin"),
}

_BRAND_BY_PREFIX = (("4", "visa"), ("5", "mastercard"), ("34", "amex"), ("37", "amex"))


def card(number: str) -> Card:
    """The test card, or (as Stripe's simulated reader treats other numbers) one that approves."""
    known = CARDS.get(number)
    if known is not None:
        return known
    brand = next((b for p, b in _BRAND_BY_PREFIX if number.startswith(p)), "visa")
    return Card(brand)


APPLICATION_NAMES = {
    "visa": "Visa Credit",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "discover": "Discover",
    "jcb": "JCB",
    "unionpay": "UnionPay",
}
AIDS = {
    "visa": "A0000000031010",
    "mastercard": "A0000000041010",
    "amex": "A00000002501",
    "discover": "A0000001523010",
    "jcb": "A0000000651010",
    "unionpay": "A000000333010101",
}
