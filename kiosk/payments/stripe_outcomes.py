"""Stripe's codes in plain words for the cashier: declines, card brands, entry modes, reader faults.

Plain values only (no `stripe` import), so the words are tested and reused without the SDK. The
codes are Stripe's decline codes (a PaymentIntent's last_payment_error.decline_code, else its
code) and a reader action's failure_code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiosk.core.models import CardResult
from kiosk.core.money import Money
from kiosk.payments.base import ReaderError, ReaderFault

CANCELLED_CODE = "customer_canceled"
CANCELLED = "Cancelled"

# decline code -> what the cashier says to the customer. Stripe's own customer-facing texts are
# deliberately vague for fraud codes; the counter's are too (never "stolen" to the customer).
DECLINES = {
    "insufficient_funds": "Insufficient funds",
    "expired_card": "Expired card",
    "incorrect_pin": "Incorrect PIN",
    "pin_try_exceeded": "Too many PIN attempts: try another card",
    "card_declined": "Card declined",
    "generic_decline": "Card declined",
    "do_not_honor": "Card declined",
    "lost_card": "Card declined: ask for another card",
    "stolen_card": "Card declined: ask for another card",
    "fraudulent": "Card declined: ask for another card",
    "processing_error": "The card could not be processed: try again",
    "card_not_supported": "This card is not supported",
    "currency_not_supported": "This card cannot pay in this currency",
    "incorrect_number": "Card declined: the card number is wrong",
    "invalid_amount": "The amount is not allowed for this card",
    "offline_pin_required": "The card needs its PIN: insert it",
    "online_or_offline_pin_required": "The card needs its PIN: insert it",
    "testmode_decline": "A test card was used",
    "withdrawal_count_limit_exceeded": "Card limit reached: try another card",
    CANCELLED_CODE: CANCELLED,
}
DEFAULT_DECLINE = "Card declined"

BRANDS = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "discover": "Discover",
    "diners": "Diners Club",
    "jcb": "JCB",
    "unionpay": "UnionPay",
    "interac": "Interac",
    "eftpos_au": "eftpos",
}

# card_present.read_method -> how the receipt says the card was read.
ENTRY_MODES = {
    "contactless_emv": "Contactless",
    "contact_emv": "Chip",
    "contactless_magstripe_mode": "Contactless (magstripe)",
    "magnetic_stripe_fallback": "Swiped (chip failed)",
    "magnetic_stripe_track2": "Swiped",
}

# Stripe error code -> why the reader could not even try, for people.
READER_FAULTS = {
    "terminal_reader_offline": "The card reader is offline: check its power and Wi-Fi",
    "terminal_reader_busy": "The card reader is busy: wait for it to finish, then try again",
    "terminal_reader_timeout": "The card reader did not answer: check it, then try again",
    "terminal_reader_hardware_fault": "The card reader has a fault: restart it",
    "resource_missing": "The card reader is not registered any more: pair it again",
}
FAULTS = {
    "terminal_reader_offline": ReaderFault.OFFLINE,
    "terminal_reader_busy": ReaderFault.BUSY,
    "terminal_reader_timeout": ReaderFault.TIMEOUT,
    "resource_missing": ReaderFault.NOT_SET_UP,
}
UNREACHABLE = "Cannot reach Stripe: no card was charged; try again or take cash"
KEY_REFUSED = "Stripe refused this device's key: run `kiosk provision stripe` again"


def decline_words(code: str | None) -> str:
    """The cashier's words for a decline code (unknown codes read as a plain decline)."""
    return DECLINES.get(code or "", DEFAULT_DECLINE)


def brand_words(brand: str | None) -> str:
    return BRANDS.get(brand or "", (brand or "").replace("_", " ").title())


def entry_mode_words(read_method: str | None) -> str:
    return ENTRY_MODES.get(read_method or "", (read_method or "").replace("_", " "))


def reader_fault(code: str | None, fallback: str) -> str:
    """Plain words for a reader error code; `fallback` (Stripe's message) when we have none."""
    return READER_FAULTS.get(code or "", fallback)


def reader_error(code: str | None, fallback: str) -> ReaderError:
    """The ReaderError for a Stripe error code, its words and its fault."""
    return ReaderError(reader_fault(code, fallback), FAULTS.get(code or "", ReaderFault.FAULT))


def _charge_of(intent: Mapping[str, Any]) -> Mapping[str, Any]:
    charge = intent.get("latest_charge")
    return charge if isinstance(charge, Mapping) else {}


def approved(intent: Mapping[str, Any], amount: Money) -> CardResult:
    """The CardResult of a captured PaymentIntent (its latest_charge expanded for the card)."""
    card = (_charge_of(intent).get("payment_method_details") or {}).get("card_present") or {}
    receipt = card.get("receipt") or {}
    return CardResult(
        True,
        amount,
        reference=str(intent["id"]),
        card_brand=brand_words(card.get("brand")),
        card_last4=str(card.get("last4") or ""),
        message="Approved",
        entry_mode=entry_mode_words(card.get("read_method")),
        auth_code=str(receipt.get("authorization_code") or ""),
    )


def declined(intent_id: str, amount: Money, code: str | None) -> CardResult:
    """A not-approved CardResult: the decline `code` in words (customer_canceled: Cancelled)."""
    return CardResult(
        False, amount, reference=intent_id, message=decline_words(code), code=code or ""
    )


def decline_code(intent: Mapping[str, Any] | None, fallback: str | None = None) -> str | None:
    """The issuer's decline code the PaymentIntent records, else its error code, else `fallback`."""
    error = (intent or {}).get("last_payment_error") or {}
    return error.get("decline_code") or error.get("code") or fallback
