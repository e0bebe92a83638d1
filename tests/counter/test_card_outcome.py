"""Each card outcome has its own words and buttons, decided without a window."""

from __future__ import annotations

import pytest

from kiosk.core.models import CardResult
from kiosk.core.money import Money
from kiosk.counter.card_outcome import CardOutcomeKind, of_error, of_result
from kiosk.payments import stripe_outcomes as words
from kiosk.payments.base import PaymentUnknown, ReaderError, ReaderFault

GBP = Money(1250, "GBP")


def test_an_approval_names_the_card_and_how_it_was_read() -> None:
    result = CardResult(True, GBP, "pi_1", "Visa", "4242", "Approved", "Contactless", "123456")
    shown = of_result(result)
    assert shown.kind is CardOutcomeKind.APPROVED
    assert (shown.title, shown.detail) == ("Card approved", "Visa •••• 4242 · Contactless")
    assert shown.retry == ""


@pytest.mark.parametrize(
    ("code", "reason"),
    [("insufficient_funds", "Insufficient funds"), ("expired_card", "Expired card")],
)
def test_a_decline_says_why_in_words_and_offers_another_card_or_cash(
    code: str, reason: str
) -> None:
    shown = of_result(words.declined("pi_1", GBP, code))
    assert shown.kind is CardOutcomeKind.DECLINED
    assert shown.title == "Card declined"
    assert shown.detail.startswith(f"{reason}. Nothing was charged.")
    assert shown.cash
    assert shown.retry == "Try the card again"


def test_a_cancel_from_the_reader_or_the_screen_is_not_a_decline() -> None:
    shown = of_result(words.declined("pi_1", GBP, words.CANCELLED_CODE))
    assert shown.kind is CardOutcomeKind.CANCELLED
    assert shown.title == "Card payment cancelled"


@pytest.mark.parametrize(
    ("code", "kind", "title"),
    [
        ("terminal_reader_offline", CardOutcomeKind.READER_OFFLINE, "Card reader offline"),
        ("terminal_reader_busy", CardOutcomeKind.READER_BUSY, "Card reader busy"),
        ("terminal_reader_timeout", CardOutcomeKind.TIMEOUT, "Card reader did not answer"),
        ("resource_missing", CardOutcomeKind.UNAVAILABLE, "Card unavailable"),
    ],
)
def test_reader_faults_each_have_their_screen(code: str, kind: CardOutcomeKind, title: str) -> None:
    shown = of_error(words.reader_error(code, "fallback"))
    assert (shown.kind, shown.title) == (kind, title)
    assert "Nothing was charged." in shown.detail
    assert shown.cash


def test_offline_card_is_unavailable_and_cash_always_works() -> None:
    shown = of_error(
        ReaderError("No internet: card payments need a connection", ReaderFault.NO_INTERNET)
    )
    assert shown.kind is CardOutcomeKind.NO_INTERNET
    assert shown.detail.endswith("Cash always works.")
    assert shown.retry == ""
    assert shown.cash


def test_a_payment_lost_mid_way_blocks_cash_until_checked_again() -> None:
    shown = of_error(PaymentUnknown("lost"))
    assert shown.kind is CardOutcomeKind.NETWORK_LOST
    assert shown.retry == "Check again"
    assert not shown.cash
    assert "Do not take cash" in shown.detail
