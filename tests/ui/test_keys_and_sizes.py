"""The app's pure parts: the wedge buffer, the cash keypad and quick amounts, names, themes."""

from __future__ import annotations

import pytest

from kiosk.core.money import Money
from kiosk.ui import theme
from kiosk.ui.cash import keyed, quick_amounts, typed_amount
from kiosk.ui.fit import EM, fit_lines
from kiosk.ui.wedge import MAX_CODE, Wedge


def feed(w: Wedge, text: str, start: float = 0.0, step: float = 0.01) -> str | None:
    out = None
    for i, ch in enumerate(text):
        out = w.feed(ch, start + i * step)
    return out


def test_wedge_hands_over_a_code_on_enter_or_tab() -> None:
    w = Wedge()
    assert feed(w, "5012345678900\r") == "5012345678900"
    assert feed(w, "ABC-1\t", start=10) == "ABC-1"
    assert feed(w, "\r", start=20) is None  # a bare Enter is not a code


def test_wedge_forgets_a_stray_key_pressed_long_before_the_scan() -> None:
    w = Wedge(gap_s=0.5)
    assert w.feed("x", 0.0) is None
    assert feed(w, "4006381333931\r", start=5.0) == "4006381333931"


def test_wedge_keeps_only_printable_characters_and_caps_the_length() -> None:
    w = Wedge()
    assert feed(w, "12\x0034\r") == "1234"
    assert feed(w, "9" * (MAX_CODE + 40) + "\r", start=10) == "9" * MAX_CODE
    w.feed("7", 20.0)
    w.reset()
    assert w.feed("\r", 20.01) is None


def test_keypad_digits_backspace_and_limit() -> None:
    digits = ""
    for key in ("0", "1", "2", "00", theme.BACKSPACE):
        digits = keyed(digits, key)
    assert digits == "120"
    assert typed_amount(digits, "GBP") == Money(120, "GBP")
    assert keyed("", "0") == ""  # no leading zeros
    assert keyed("12345678", "9", limit=8) == "12345678"
    assert typed_amount("", "EUR") == Money(0, "EUR")


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (Money(3740, "GBP"), [3740, 4000, 5000, 10000]),
        (Money(500, "GBP"), [500, 1000, 2000, 5000]),
        (Money(1250, "JPY"), [1250, 5000, 10000, 20000]),
        (Money(0, "GBP"), []),
    ],
)
def test_quick_cash_amounts_are_the_sum_then_round_notes(due: Money, expected: list[int]) -> None:
    amounts = quick_amounts(due)
    assert [a.minor for a in amounts] == expected
    assert all(a.currency == due.currency for a in amounts)


@pytest.mark.parametrize(
    ("size", "name"),
    [((800, 480), "800x480"), ((1024, 600), "800x480"), ((1280, 800), "1280x800"),
     ((1920, 1080), "1920x1080"), ((2560, 1440), "1920x1080")],
)  # fmt: skip
def test_theme_follows_the_window_size(size: tuple[int, int], name: str) -> None:
    assert theme.theme_for(*size).name == name


@pytest.mark.parametrize("th", [theme.COMPACT, theme.MEDIUM, theme.LARGE])
def test_every_theme_keeps_touch_targets_big_enough(th: theme.Theme) -> None:
    assert th.row >= theme.TOUCH_MIN
    assert th.bar >= theme.TOUCH_MIN
    assert th.page_size == th.cols * th.rows >= 6


def test_window_size_errors_name_the_problem() -> None:
    assert theme.parse_size("1280X800") == (1280, 800)
    with pytest.raises(ValueError, match="is not WIDTHxHEIGHT"):
        theme.parse_size("big")
    with pytest.raises(ValueError, match="too small"):
        theme.parse_size("200x100")


def test_long_names_are_cut_at_a_word_with_an_ellipsis() -> None:
    def fits(letters: int) -> float:  # the width in px that holds `letters` at font size 10
        return (letters + 0.5) * 10 * EM

    assert fit_lines("Mug", fits(17), 10) == "Mug"
    assert fit_lines("Speckled Watercolour Gift Tag Set", fits(17), 10) == (
        "Speckled\nWatercolour Gift…"
    )
    assert fit_lines("Summer Knitted Baby Romper - XXL, Black", fits(17), 10, lines=3) == (
        "Summer Knitted\nBaby Romper -\nXXL, Black"
    )
    assert fit_lines("Sunrise Darjeeling Loose Leaf Tea", fits(17), 10, lines=1) == (
        "Sunrise Darjeeli…"
    )
    assert fit_lines("Supercalifragilisticexpialidocious", fits(8), 10, lines=1) == "Superca…"
    assert fit_lines("", fits(17), 10) == ""
