"""PIN hashes: salted scrypt with its parameters in the stored text, raised later by rehashing."""

from __future__ import annotations

import pytest

from kiosk.staff import pins
from kiosk.staff.pins import BadPin, PinParams
from tests.staff.conftest import CHEAP


def test_a_hash_verifies_its_pin_and_no_other() -> None:
    stored = pins.hash_pin("4821", CHEAP)
    assert pins.verify("4821", stored)
    assert not pins.verify("4822", stored)
    assert not pins.verify("", stored)
    assert "4821" not in stored


def test_the_same_pin_hashes_differently_each_time() -> None:
    assert pins.hash_pin("4821", CHEAP) != pins.hash_pin("4821", CHEAP)


def test_the_parameters_travel_with_the_hash() -> None:
    stored = pins.hash_pin("4821", CHEAP)
    assert stored.startswith("scrypt$16$1$1$")
    assert pins.params_of(stored) == CHEAP
    # The default's cost, and a hash made at it verifies with no parameters given.
    real = pins.hash_pin("4821")
    assert pins.params_of(real) == PinParams(2**14, 8, 1)
    assert pins.verify("4821", real)


def test_a_weaker_hash_needs_rehashing_at_the_new_cost() -> None:
    stored = pins.hash_pin("4821", CHEAP)
    assert pins.needs_rehash(stored)
    assert not pins.needs_rehash(stored, CHEAP)
    raised = PinParams(n=2**5, r=1, p=1)
    assert pins.needs_rehash(stored, raised)
    assert not pins.needs_rehash(pins.hash_pin("4821", raised), CHEAP)


@pytest.mark.parametrize(
    ("pin", "words"),
    [
        ("12a4", "digits only"),
        ("123", "4 to 12 digits"),
        ("1234567890123", "4 to 12 digits"),
        ("1111", "one digit repeated"),
        ("١٢٣٤", "digits only"),  # Arabic-Indic digits: isdigit() but not typed on the keypad
    ],
)
def test_unusable_pins_are_refused_without_showing_them(pin: str, words: str) -> None:
    with pytest.raises(BadPin, match=words) as caught:
        pins.check_new_pin(pin)
    assert pin not in str(caught.value)


def test_a_hash_that_is_not_ours_is_refused() -> None:
    with pytest.raises(ValueError, match="not a PIN hash"):
        pins.verify("1234", "md5$abc")
