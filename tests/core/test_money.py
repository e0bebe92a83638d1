"""Money: exact minor units, parsing, rounding, allocation and formatting."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.money import CurrencyMismatch, Money, exponent, round_half_up, total


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.5", "EUR", 1250),
        ("0,99", "EUR", 99),
        ("  7 ", "GBP", 700),
        (".5", "EUR", 50),
        ("5.", "EUR", 500),
        ("-1.00", "EUR", -100),
        ("- 3", "EUR", -300),
        ("1.2300", "EUR", 123),  # trailing zeros beyond the currency's digits are harmless
        ("1250", "JPY", 1250),
        ("1.0", "JPY", 1),
        ("1.234", "BHD", 1234),
        ("0.001", "BHD", 1),
        ("0", "EUR", 0),
    ],
)
def test_parse_accepts_plain_decimals(text: str, currency: str, minor: int) -> None:
    assert Money.parse(text, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    ("text", "currency", "fragment"),
    [
        ("", "EUR", "is not an amount"),
        (".", "EUR", "is not an amount"),
        ("abc", "EUR", "is not an amount"),
        ("1e3", "EUR", "is not an amount"),
        ("1,000.00", "EUR", "is not an amount"),  # thousands separators are not guessed at
        ("€5", "EUR", "is not an amount"),
        ("1.234", "EUR", "more decimals than EUR allows (2)"),
        ("1.5", "JPY", "more decimals than JPY allows (0)"),
        ("1.0001", "BHD", "more decimals than BHD allows (3)"),
    ],
)
def test_parse_rejects_with_a_reason(text: str, currency: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)) as info:
        Money.parse(text, currency)
    assert repr(text) in str(info.value)


def test_parse_rejects_unknown_currency_and_non_text() -> None:
    with pytest.raises(ValueError, match="unknown currency code 'ABC'"):
        Money.parse("1", "ABC")
    with pytest.raises(ValueError, match="is not an amount"):
        Money.parse(12, "EUR")  # type: ignore[arg-type]


def test_constructor_refuses_floats_bools_and_unknown_currencies() -> None:
    with pytest.raises(TypeError, match="must be an int, not float"):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not bool"):
        Money(True, "EUR")
    with pytest.raises(ValueError, match="unknown currency"):
        Money(1, "eur")


def test_exponents() -> None:
    assert (exponent("JPY"), exponent("EUR"), exponent("BHD")) == (0, 2, 3)
    assert Money(1, "BHD").exponent == 3


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [
        (Decimal("0.125"), "EUR", 13),  # half away from zero, as PHP's round()
        (Decimal("-0.125"), "EUR", -13),
        (Decimal("0.124"), "EUR", 12),
        (Fraction(1, 3), "EUR", 33),
        (Decimal("2.5"), "JPY", 3),
        (Decimal("-2.5"), "JPY", -3),
        (Decimal("1.2345"), "BHD", 1235),
        (7, "GBP", 700),
    ],
)
def test_from_decimal_rounds_half_away_from_zero(
    value: Decimal | Fraction | int, currency: str, minor: int
) -> None:
    assert Money.from_decimal(value, currency) == Money(minor, currency)


def test_from_decimal_rejects_non_finite() -> None:
    with pytest.raises(ValueError, match="is not an amount"):
        Money.from_decimal(Decimal("NaN"), "EUR")


def test_round_half_up() -> None:
    assert [round_half_up(Fraction(n, 2)) for n in (-3, -1, 1, 3, 5)] == [-2, -1, 1, 2, 3]
    assert round_half_up(Decimal("2.4999")) == 2
    assert round_half_up(4) == 4


def test_views() -> None:
    assert Money(1250, "EUR").to_decimal() == Decimal("12.50")
    assert Money(-1250, "EUR").amount_str() == "-12.50"
    assert Money(1250, "JPY").amount_str() == "1250"
    assert Money(12345, "BHD").amount_str() == "12.345"
    assert str(Money(5, "GBP")) == "0.05 GBP"
    assert Money(1250, "EUR").to_json("de_DE") == {
        "minor": 1250,
        "currency": "EUR",
        "formatted": "12,50\xa0€",
    }


@pytest.mark.parametrize(
    ("money", "locale", "shown"),
    [
        (Money(123456, "GBP"), "en_GB", "£1,234.56"),
        (Money(-1250, "EUR"), "en_GB", "-€12.50"),
        (Money(123456, "GBP"), "de_DE", "1.234,56\xa0£"),
        (Money(1250, "EUR"), "de_DE", "12,50\xa0€"),
        (Money(1250, "JPY"), "ja_JP", "￥1,250"),
        (Money(1250, "JPY"), "de_DE", "1.250\xa0¥"),
        (Money(12345, "BHD"), "en_GB", "BHD12.345"),
        (Money(12345, "BHD"), "de_DE", "12,345\xa0BHD"),
    ],
)
def test_format_by_locale(money: Money, locale: str, shown: str) -> None:
    assert money.format(locale) == shown


def test_format_rejects_unknown_locale() -> None:
    with pytest.raises(ValueError, match="unknown locale 'xx_YY'"):
        Money(1, "EUR").format("xx_YY")


def test_arithmetic_and_comparisons() -> None:
    a, b = Money(150, "EUR"), Money(50, "EUR")
    assert a + b == Money(200, "EUR")
    assert a - b == Money(100, "EUR")
    assert -a == Money(-150, "EUR")
    assert a * 3 == 3 * a == Money(450, "EUR")
    assert (b < a, b <= a, a > b, a >= b, a < b) == (True, True, True, True, False)
    assert not Money.zero("EUR")
    assert Money(1, "EUR")


def test_currency_mismatch_is_refused_everywhere() -> None:
    eur, usd = Money(100, "EUR"), Money(100, "USD")
    for op in (
        lambda: eur + usd,
        lambda: eur - usd,
        lambda: eur < usd,
        lambda: eur <= usd,
        lambda: eur > usd,
        lambda: eur >= usd,
        lambda: total([eur, usd], "EUR"),
    ):
        with pytest.raises(CurrencyMismatch, match="cannot combine EUR with USD"):
            op()
    assert eur != usd


def test_multiplication_and_combination_type_errors() -> None:
    with pytest.raises(TypeError, match="multiplied by an int"):
        Money(100, "EUR") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError, match="cannot combine Money with int"):
        Money(100, "EUR") + 1  # type: ignore[operator]


def test_total() -> None:
    assert total([], "JPY") == Money(0, "JPY")
    assert total([Money(1, "EUR"), Money(2, "EUR")], "EUR") == Money(3, "EUR")


def test_allocate_examples() -> None:
    assert Money(100, "EUR").allocate([1, 1, 1]) == [Money(n, "EUR") for n in (34, 33, 33)]
    assert Money(-100, "EUR").allocate([1, 1, 1]) == [Money(n, "EUR") for n in (-34, -33, -33)]
    assert Money(100, "EUR").allocate([0, 1]) == [Money(0, "EUR"), Money(100, "EUR")]
    assert Money(5, "EUR").allocate([0, 0]) == [Money(3, "EUR"), Money(2, "EUR")]
    # Largest remainder, not "the first part takes the rest": 7 * (1/6, 5/6) -> 1.17, 5.83.
    assert Money(7, "JPY").allocate([1, 5]) == [Money(1, "JPY"), Money(6, "JPY")]


def test_allocate_rejects_bad_weights() -> None:
    with pytest.raises(ValueError, match="at least one weight"):
        Money(1, "EUR").allocate([])
    with pytest.raises(ValueError, match="must not be negative"):
        Money(1, "EUR").allocate([1, -1])


@given(
    st.integers(-(10**9), 10**9),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=12),
)
def test_allocate_always_sums_and_stays_proportional(minor: int, weights: list[int]) -> None:
    parts = Money(minor, "EUR").allocate(weights)
    assert sum(p.minor for p in parts) == minor
    ws = weights if sum(weights) else [1] * len(weights)
    for part, w in zip(parts, ws, strict=True):
        assert abs(part.minor - Fraction(minor * w, sum(ws))) < 1


@given(st.integers(-(10**12), 10**12), st.sampled_from(["JPY", "EUR", "BHD"]))
def test_amount_str_round_trips_through_parse(minor: int, currency: str) -> None:
    m = Money(minor, currency)
    assert Money.parse(m.amount_str(), currency) == m
    assert Money.from_decimal(m.to_decimal(), currency) == m
