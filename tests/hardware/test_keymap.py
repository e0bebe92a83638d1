"""Key events to characters: Shift, Caps Lock, AltGr, Ctrl and Alt codes, in four layouts."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from evdev import InputEvent
from evdev import ecodes as e

from kiosk.hardware.keymap import GS, LAYOUTS, UNDECODABLE, KeyDecoder, code_char
from tests.hardware.scanner_events import US_PRINTABLE, Typist

SHIFT, RSHIFT, ALTGR, CTRL, ALT = (
    e.KEY_LEFTSHIFT,
    e.KEY_RIGHTSHIFT,
    e.KEY_RIGHTALT,
    e.KEY_LEFTCTRL,
    e.KEY_LEFTALT,
)


def decode(decoder: KeyDecoder, events: Iterable[InputEvent]) -> str:
    """What the decoder types for these events (key events only, as a reader passes them)."""
    chars = (decoder.feed(ev.code, ev.value) for ev in events if ev.type == e.EV_KEY)
    return "".join(c for c in chars if c is not None)


def test_every_printable_ascii_character_on_a_us_keyboard() -> None:
    typist = Typist()
    assert decode(KeyDecoder(), typist.us(US_PRINTABLE, end=None)) == US_PRINTABLE


def test_a_character_comes_on_key_down_only_and_repeats_are_ignored() -> None:
    decoder = KeyDecoder("us")
    assert decoder.feed(e.KEY_4, 1) == "4"
    assert decoder.feed(e.KEY_4, 2) is None  # auto-repeat: a scanner never holds a key
    assert decoder.feed(e.KEY_4, 0) is None
    assert decoder.feed(e.KEY_ENTER, 1) == "\n"
    assert decoder.feed(e.KEY_KPENTER, 1) == "\n"
    assert decoder.feed(e.KEY_TAB, 1) == "\t"


def test_either_shift_and_shift_held_across_keys() -> None:
    typist, decoder = Typist(), KeyDecoder()
    assert decode(decoder, typist.tap(e.KEY_A, RSHIFT) + typist.tap(e.KEY_5, RSHIFT)) == "A%"
    both = typist.press(SHIFT) + typist.press(RSHIFT) + typist.press(RSHIFT, 0)
    # one Shift released while the other is still down: still shifted, until both are up
    both += typist.tap(e.KEY_B) + typist.press(SHIFT, 0) + typist.tap(e.KEY_B)
    assert decode(decoder, both) == "Bb"


def test_caps_lock_changes_letters_only_and_shift_undoes_it() -> None:
    typist, decoder = Typist(), KeyDecoder()
    events = typist.tap(e.KEY_CAPSLOCK) + typist.tap(e.KEY_A) + typist.tap(e.KEY_1)
    events += typist.tap(e.KEY_MINUS) + typist.tap(e.KEY_A, SHIFT) + typist.tap(e.KEY_1, SHIFT)
    events += typist.tap(e.KEY_CAPSLOCK) + typist.tap(e.KEY_A)
    assert decode(decoder, events) == "A1-a!a"


# What a barcode's punctuation takes in each layout: (key, Shift) for - . / + % $ space
BARCODE_PUNCTUATION = {
    "us": [(e.KEY_MINUS, 0), (e.KEY_DOT, 0), (e.KEY_SLASH, 0), (e.KEY_EQUAL, 1), (e.KEY_5, 1),
           (e.KEY_4, 1), (e.KEY_SPACE, 0)],
    "uk": [(e.KEY_MINUS, 0), (e.KEY_DOT, 0), (e.KEY_SLASH, 0), (e.KEY_EQUAL, 1), (e.KEY_5, 1),
           (e.KEY_4, 1), (e.KEY_SPACE, 0)],
    "de": [(e.KEY_SLASH, 0), (e.KEY_DOT, 0), (e.KEY_7, 1), (e.KEY_RIGHTBRACE, 0), (e.KEY_5, 1),
           (e.KEY_4, 1), (e.KEY_SPACE, 0)],
    "fr": [(e.KEY_6, 0), (e.KEY_COMMA, 1), (e.KEY_DOT, 1), (e.KEY_EQUAL, 1),
           (e.KEY_APOSTROPHE, 1), (e.KEY_RIGHTBRACE, 0), (e.KEY_SPACE, 0)],
}  # fmt: skip


@pytest.mark.parametrize("layout", sorted(BARCODE_PUNCTUATION))
def test_barcode_punctuation_in_each_layout(layout: str) -> None:
    keys = [(code, bool(shift)) for code, shift in BARCODE_PUNCTUATION[layout]]
    assert decode(KeyDecoder(layout), Typist().keys(keys)) == "-./+%$ "


def test_german_swaps_y_and_z_and_types_umlauts_and_at_with_altgr() -> None:
    typist = Typist()
    events = typist.tap(e.KEY_Y) + typist.tap(e.KEY_Z) + typist.tap(e.KEY_Z, SHIFT)
    events += typist.tap(e.KEY_SEMICOLON) + typist.tap(e.KEY_Q, ALTGR) + typist.tap(e.KEY_E, ALTGR)
    events += typist.tap(e.KEY_MINUS) + typist.tap(e.KEY_0, SHIFT)
    assert decode(KeyDecoder("de"), events) == "zyYö@€ß="


def test_french_digits_need_shift_and_letters_move() -> None:
    typist = Typist()
    digits = typist.keys((code, True) for code in (e.KEY_4, e.KEY_0, e.KEY_1))
    assert decode(KeyDecoder("fr"), digits) == "401"
    plain = typist.keys((code, False) for code in (e.KEY_1, e.KEY_2, e.KEY_Q, e.KEY_W))
    plain += typist.keys([(e.KEY_SEMICOLON, False), (e.KEY_M, False), (e.KEY_A, True)])
    assert decode(KeyDecoder("fr"), plain) == "&éazm,Q"


def test_french_caps_lock_leaves_the_digit_row_alone() -> None:
    typist = Typist()
    events = typist.tap(e.KEY_CAPSLOCK) + typist.tap(e.KEY_1) + typist.tap(e.KEY_Q)
    assert decode(KeyDecoder("fr"), events) == "&A"


def test_uk_quote_pound_at_and_hash() -> None:
    typist = Typist()
    keys = [(e.KEY_2, True), (e.KEY_3, True), (e.KEY_APOSTROPHE, True), (e.KEY_BACKSLASH, False)]
    events = typist.keys(keys) + typist.tap(e.KEY_4, ALTGR)
    assert decode(KeyDecoder("uk"), events) == '"£@#€'


@pytest.mark.parametrize("layout", LAYOUTS)
def test_keypad_digits_type_the_same_in_every_layout(layout: str) -> None:
    typist = Typist()
    keypad = [e.KEY_KP4, e.KEY_KP0, e.KEY_KP1, e.KEY_KP9, e.KEY_KPMINUS, e.KEY_KPPLUS]
    events = [ev for code in keypad for ev in typist.tap(code)]
    assert decode(KeyDecoder(layout), events) == "4019-+"


def test_group_separator_from_ctrl_bracket() -> None:
    typist = Typist()
    events = typist.us("01", end=None) + typist.tap(e.KEY_RIGHTBRACE, CTRL) + typist.us("10", None)
    assert decode(KeyDecoder(), events) == f"01{GS}10"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_group_separator_from_an_alt_keypad_code_in_any_layout(layout: str) -> None:
    typist, decoder = Typist(), KeyDecoder(layout)
    alt_code = typist.press(ALT)
    alt_code += [ev for code in (e.KEY_KP0, e.KEY_KP2, e.KEY_KP9) for ev in typist.tap(code)]
    assert decode(decoder, alt_code) == ""  # nothing yet: the character comes as Alt goes up
    assert decode(decoder, typist.press(ALT, 0)) == GS
    assert decode(decoder, typist.tap(e.KEY_KP2)) == "2"  # Alt up: the keypad types again
    assert decode(decoder, typist.tap(ALT)) == ""  # Alt alone types nothing


def test_keys_with_no_character_are_undecodable_and_modifiers_are_nothing() -> None:
    typist, decoder = Typist(), KeyDecoder("de")
    assert decoder.feed(e.KEY_F1, 1) == UNDECODABLE
    assert decoder.feed(e.KEY_GRAVE, 1) == UNDECODABLE  # "^": a dead key in German
    assert decode(decoder, typist.tap(e.KEY_1, CTRL)) == UNDECODABLE
    for modifier in (SHIFT, RSHIFT, ALTGR, CTRL, ALT, e.KEY_NUMLOCK):
        assert decoder.feed(modifier, 1) is None
    assert not code_char(UNDECODABLE)
    assert [code_char(c) for c in (GS, "A", " ", "\n", "\t")] == [True, True, True, False, False]


def test_an_unknown_layout_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="'dvorak'") as error:
        KeyDecoder("dvorak")
    assert all(layout in str(error.value) for layout in ("us", "uk", "de", "fr"))
