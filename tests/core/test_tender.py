"""Settling tenders against a total: card first, cash for the rest, change only from cash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.models import PaymentMethod
from kiosk.core.money import Money
from kiosk.core.tender import (
    InsufficientPayment,
    OverTender,
    PaymentError,
    Tender,
    settle,
    split_evenly,
)

CASH, CARD, OTHER = PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.OTHER


def gbp(minor: int) -> Money:
    return Money(minor, "GBP")


def test_cash_gives_change() -> None:
    (p,) = settle(gbp(1234), [Tender(CASH, gbp(2000))])
    assert (p.method, p.amount, p.tendered, p.change) == (CASH, gbp(1234), gbp(2000), gbp(766))


def test_exact_card_payment_keeps_its_details() -> None:
    card = Tender(CARD, gbp(1234), reference="pi_123", card_brand="visa", card_last4="4242")
    (p,) = settle(gbp(1234), [card])
    assert (p.amount, p.tendered, p.change) == (gbp(1234), gbp(1234), gbp(0))
    assert (p.reference, p.card_brand, p.card_last4) == ("pi_123", "visa", "4242")


def test_card_applies_before_cash_whatever_the_order_given() -> None:
    payments = settle(gbp(5000), [Tender(CASH, gbp(2000)), Tender(CARD, gbp(3500))])
    assert [(p.method, p.amount, p.change) for p in payments] == [
        (CARD, gbp(3500), gbp(0)),
        (CASH, gbp(1500), gbp(500)),
    ]


def test_several_cash_tenders_count_as_one() -> None:
    (p,) = settle(gbp(1500), [Tender(CASH, gbp(1000)), Tender(CASH, gbp(1000))])
    assert (p.amount, p.tendered, p.change) == (gbp(1500), gbp(2000), gbp(500))


def test_cash_after_a_full_card_payment_is_all_change() -> None:
    payments = settle(gbp(1000), [Tender(CARD, gbp(1000)), Tender(CASH, gbp(500))])
    assert payments[1].amount == gbp(0)
    assert payments[1].change == gbp(500)


def test_card_over_what_is_due_is_refused_by_name() -> None:
    with pytest.raises(OverTender, match=r"card payment of £20\.00 is more than the £15\.00") as e:
        settle(gbp(1500), [Tender(CARD, gbp(2000))])
    assert e.value.due == gbp(1500)
    assert e.value.tender.amount == gbp(2000)
    # The second card only has what the first left.
    with pytest.raises(OverTender, match=r"other payment of £6\.00 is more than the £5\.00"):
        settle(gbp(1500), [Tender(CARD, gbp(1000)), Tender(OTHER, gbp(600))])


def test_short_payment_reports_the_shortfall() -> None:
    with pytest.raises(InsufficientPayment, match=r"£2\.34 is still due of the total £12\.34") as e:
        settle(gbp(1234), [Tender(CASH, gbp(500)), Tender(CARD, gbp(500))])
    assert e.value.shortfall == gbp(234)
    with pytest.raises(InsufficientPayment) as e:
        settle(gbp(1), [])
    assert e.value.shortfall == gbp(1)


def test_messages_follow_the_locale() -> None:
    with pytest.raises(InsufficientPayment, match="12,34\xa0€"):
        settle(Money(1234, "EUR"), [], locale="de_DE")


def test_zero_total_needs_no_tender() -> None:
    assert settle(gbp(0), []) == ()


@pytest.mark.parametrize(
    ("tenders", "message"),
    [
        ([Tender(CASH, Money(100, "EUR"))], "is in EUR, but the order is in GBP"),
        ([Tender(CASH, gbp(-1))], "is negative"),
        ([Tender(CARD, gbp(0))], "pays nothing"),
        (["£5"], "expected a Tender"),
    ],
)
def test_bad_tenders_are_payment_errors(tenders: list[Tender], message: str) -> None:
    with pytest.raises(PaymentError, match=message):
        settle(gbp(100), tenders)


def test_negative_total_is_refused() -> None:
    with pytest.raises(PaymentError, match="negative total"):
        settle(gbp(-1), [])


def test_payment_errors_are_value_errors() -> None:
    assert issubclass(PaymentError, ValueError)
    assert issubclass(OverTender, PaymentError)
    assert issubclass(InsufficientPayment, PaymentError)


def test_split_evenly() -> None:
    assert split_evenly(gbp(1000), 3) == [gbp(334), gbp(333), gbp(333)]
    assert split_evenly(Money(5, "JPY"), 1) == [Money(5, "JPY")]
    for bad in (0, -2, True):
        with pytest.raises(PaymentError, match="cannot split a bill"):
            split_evenly(gbp(1000), bad)


@given(st.integers(0, 10**9), st.integers(1, 50))
def test_split_evenly_sums_and_differs_by_at_most_one(minor: int, parts: int) -> None:
    shares = split_evenly(Money(minor, "BHD"), parts)
    assert len(shares) == parts
    assert sum(s.minor for s in shares) == minor
    assert max(s.minor for s in shares) - min(s.minor for s in shares) <= 1


@given(
    total=st.integers(0, 10**7),
    cards=st.lists(st.integers(1, 10**6), max_size=3),
    cash=st.lists(st.integers(0, 10**7), max_size=3),
)
def test_settle_invariants(total: int, cards: list[int], cash: list[int]) -> None:
    tenders = [Tender(CARD, gbp(c)) for c in cards] + [Tender(CASH, gbp(c)) for c in cash]
    if sum(cards) > total:
        with pytest.raises(OverTender):
            settle(gbp(total), tenders)
        return
    if sum(cards) + sum(cash) < total:
        with pytest.raises(InsufficientPayment) as info:
            settle(gbp(total), tenders)
        assert info.value.shortfall.minor == total - sum(cards) - sum(cash)
        return
    payments = settle(gbp(total), tenders)
    assert sum(p.amount.minor for p in payments) == total
    for p in payments:
        assert p.change.minor >= 0
        assert p.change == p.tendered - p.amount
        if p.method is not CASH:
            assert p.change.minor == 0
    cash_paid = [p for p in payments if p.method is CASH]
    if cash:
        assert cash_paid[0].tendered.minor == sum(cash)
