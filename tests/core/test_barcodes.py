"""What a scanned code means: check digits, UPC-E, equivalent forms, GS1 variable measures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.barcodes import (
    DEFAULT_LAYOUTS,
    PRICE_LAYOUT,
    WEIGHT_LAYOUT,
    Measure,
    Symbology,
    VariableCodeError,
    VariableLayout,
    check_digit,
    classify,
    compress_upca,
    decode_variable,
    equivalents,
    expand_upce,
    find_layout,
    normalise,
    price_check_digit,
    scan,
    valid,
    variable_item,
)
from kiosk.core.money import Money

# Codes printed on real products (and the standards' own examples).
REAL = {
    "5449000000996": Symbology.EAN13,  # Coca-Cola 330 ml can
    "3017620422003": Symbology.EAN13,  # Nutella 400 g
    "4006381333931": Symbology.EAN13,  # Stabilo pen (the usual EAN-13 example)
    "9780306406157": Symbology.EAN13,  # ISBN-13 978-0-306-40615-7
    "036000291452": Symbology.UPCA,  # Kleenex (the usual UPC-A example)
    "049000006346": Symbology.UPCA,  # Coca-Cola, USA
    "012000161155": Symbology.UPCA,  # Pepsi, USA
    "96385074": Symbology.EAN8,
    "40170725": Symbology.EAN8,
    "04963406": Symbology.UPCE,  # Coca-Cola can: UPC-E of 049000006346
    "04252614": Symbology.UPCE,  # the usual UPC-E example: 042100005264
    "10012345678902": Symbology.GTIN14,  # a case of 0012345678905 (indicator 1)
}


def off_by_one(code: str, at: int) -> str:
    return code[:at] + str((int(code[at]) + 1) % 10) + code[at + 1 :]


@pytest.mark.parametrize(("code", "kind"), REAL.items())
def test_real_codes_are_valid_and_classified(code: str, kind: Symbology) -> None:
    assert classify(code) is kind
    assert valid(code)
    assert valid(f"  {code}\r\n")  # a scanner's terminator is not part of the code
    assert not scan(code).misread


@pytest.mark.parametrize("code", [c for c in REAL if len(c) != 8])
def test_a_digit_off_by_one_is_rejected_anywhere(code: str) -> None:
    for at in range(len(code)):
        bad = off_by_one(code, at)
        assert not valid(bad), bad
        s = scan(bad)
        assert s.misread
        assert s.canonical == bad  # never "corrected"
        assert s.forms == (bad,)


def test_eight_digit_misreads_are_rejected() -> None:
    for code in ("96385074", "40170725", "04963406"):
        assert not valid(off_by_one(code, 7))
    assert not valid("04963407")
    assert classify("04963407") is Symbology.UPCE  # read as UPC-E, with a wrong check digit


def test_check_digits_of_known_bodies() -> None:
    assert check_digit("400638133393") == 1
    assert check_digit("03600029145") == 2
    assert check_digit("9638507") == 4
    assert check_digit("1001234567890") == 2
    with pytest.raises(ValueError, match="digits only"):
        check_digit("12a4")
    with pytest.raises(ValueError, match="digits only"):
        check_digit("")


@pytest.mark.parametrize(
    ("upce", "upca"),
    [
        # last digit 0-2: manufacturer XX[d6]00, product 00[d3 d4 d5]
        ("01234505", "012000003455"),
        ("01234514", "012100003454"),
        ("01234523", "012200003453"),
        # 3: manufacturer XXX00, product 000[d4 d5]
        ("01234531", "012300000451"),
        # 4: manufacturer XXXX0, product 0000[d5]
        ("01234543", "012340000053"),
        # 5-9: manufacturer XXXXX, product 0000[d6]
        ("01234558", "012345000058"),
        ("01234596", "012345000096"),
        ("04252614", "042100005264"),
        ("04963406", "049000006346"),
        ("11234562", "112345000062"),  # number system 1
    ],
)
def test_upce_expansion_table(upce: str, upca: str) -> None:
    assert expand_upce(upce) == upca
    assert valid(upca)
    assert compress_upca(upca) == upce
    assert normalise(upce) == "0" + upca
    assert upca in equivalents(upce)
    assert upce in equivalents(upca)


def test_not_every_upca_has_a_upce() -> None:
    assert compress_upca("036000291452") is None
    assert compress_upca("212345000062") is None  # number system 2
    with pytest.raises(ValueError, match="UPC-E"):
        expand_upce("21234562")


def test_upca_ean13_and_gtin14_normalise_alike() -> None:
    forms = ("036000291452", "0036000291452", "00036000291452")
    assert {normalise(f) for f in forms} == {"0036000291452"}
    for f in forms:
        assert set(equivalents(f)) == set(forms)
        assert equivalents(f)[0] == f  # the code as scanned is tried first
    assert normalise("96385074") == "0000096385074"
    assert normalise("10012345678902") == "10012345678902"  # indicator 1 is another item


@pytest.mark.parametrize(
    "text", ["ABC-123", "https://shop.example/p/42?ref=qr", "Ünïcode 1", "12345", "٣٣٣٣٣٣٣٣"]
)
def test_code128_qr_and_other_text_pass_through_stripped(text: str) -> None:
    s = scan(f"\t{text} \n")
    assert s.symbology is Symbology.OTHER
    assert not s.misread
    assert s.canonical == text
    assert s.forms == (text,)
    assert not valid(text)


# -- GS1 variable measure -----------------------------------------------------------------------


def test_price_check_digits_from_the_gs1_specification() -> None:
    assert price_check_digit("2875") == 9
    assert price_check_digit("14685") == 6
    assert price_check_digit("0000") == 0
    assert price_check_digit("00000") == 0
    with pytest.raises(ValueError, match="4 or 5 digits"):
        price_check_digit("123")


def test_default_price_code() -> None:
    # 20 | item 12345 | price check 3 | 0345 pence | check 4 (worked by hand)
    code = "2012345303454"
    assert find_layout(code, DEFAULT_LAYOUTS) is PRICE_LAYOUT
    m = decode_variable(code, PRICE_LAYOUT, "GBP")
    assert m.item_code == "12345"
    assert m.price == Money(345, "GBP")
    assert m.weight_g is None
    assert m.zeroed == "2012345000001"
    assert valid(m.zeroed)


def test_default_weight_code() -> None:
    code = "2554321012344"  # 25 | item 54321 | 1234 g | check 4
    assert find_layout(code, DEFAULT_LAYOUTS) is WEIGHT_LAYOUT
    m = decode_variable(code, WEIGHT_LAYOUT, "GBP")
    assert (m.item_code, m.price, m.weight_g) == ("54321", None, 1234)
    assert m.zeroed[:7] == "2554321"
    assert m.zeroed[7:12] == "00000"
    assert valid(m.zeroed)


def test_a_wrong_price_check_digit_is_rejected_even_with_a_right_ean_check() -> None:
    body = "20123454" + "0345"  # price check should be 3
    code = body + str(check_digit(body))
    assert valid(code)
    with pytest.raises(VariableCodeError, match="scan it again"):
        decode_variable(code, PRICE_LAYOUT, "GBP")


def test_ordinary_and_misread_codes_have_no_layout() -> None:
    assert find_layout("5449000000996", DEFAULT_LAYOUTS) is None
    assert find_layout("2012345303455", DEFAULT_LAYOUTS) is None  # wrong EAN check digit
    with pytest.raises(VariableCodeError, match="not a variable-measure code"):
        decode_variable("5449000000996", PRICE_LAYOUT, "GBP")


def test_custom_layout_five_digit_price() -> None:
    layout = VariableLayout(prefixes=("23",), item_digits=4, value_digits=5)
    body = "23" + "0042" + "6" + "14685"
    code = body + str(check_digit(body))
    assert find_layout(code, (layout,)) is layout
    assert find_layout(code, DEFAULT_LAYOUTS) is PRICE_LAYOUT  # 23 is a price prefix by default
    m = decode_variable(code, layout, "SEK")
    assert (m.item_code, m.price) == ("0042", Money(14685, "SEK"))
    bad = "23" + "0042" + "7" + "14685"
    with pytest.raises(VariableCodeError):
        decode_variable(bad + str(check_digit(bad)), layout, "SEK")


def test_custom_layout_us_upca_price_code() -> None:
    # UPC-A number system 2: item 12345, price check, $1.99; scanned as 12 digits.
    layout = VariableLayout(prefixes=("02",))
    body = "2" + "12345" + str(price_check_digit("0199")) + "0199"
    code = body + str(check_digit(body))
    assert classify(code) is Symbology.UPCA
    assert find_layout(code, DEFAULT_LAYOUTS) is None
    m = decode_variable(code, layout, "USD")
    assert (m.item_code, m.price) == ("12345", Money(199, "USD"))


def test_custom_weight_layout_without_check() -> None:
    layout = VariableLayout(
        prefixes=("28",), item_digits=6, measure=Measure.WEIGHT, value_digits=4, value_check=False
    )
    body = "28" + "000777" + "0750"
    m = decode_variable(body + str(check_digit(body)), layout, "EUR")
    assert (m.item_code, m.weight_g, m.price) == ("000777", 750, None)


@pytest.mark.parametrize(
    ("kw", "why"),
    [
        ({"prefixes": ()}, "digits"),
        ({"prefixes": ("2a",)}, "digits"),
        ({"prefixes": ("50",)}, "start with 2"),
        ({"prefixes": ("2", "21")}, "as long"),
        ({"prefixes": ("20",), "value_digits": 3, "item_digits": 6}, "4 or 5"),
        ({"prefixes": ("20",), "item_digits": 4}, "13 digits"),
    ],
)
def test_layouts_that_cannot_work_are_refused(kw: dict[str, object], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        VariableLayout(**kw)  # type: ignore[arg-type]


# -- properties ---------------------------------------------------------------------------------

bodies = st.sampled_from([7, 11, 12, 13]).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
)


@given(bodies, st.integers(0, 9))
def test_check_digit_and_validation_agree(body: str, digit: int) -> None:
    right = check_digit(body)
    code = body + str(digit)
    if len(code) == 8 and code[0] in "01":
        return  # may be a UPC-E, whose check digit is its expansion's
    assert valid(code) == (digit == right)


@given(st.one_of(st.text(), st.text(alphabet="0123456789 ", max_size=16), bodies))
def test_normalise_is_idempotent(code: str) -> None:
    once = normalise(code)
    assert normalise(once) == once
    assert normalise(f" {code} ") == once


@given(bodies.filter(lambda b: len(b) != 7))
def test_every_form_of_a_valid_code_normalises_alike(body: str) -> None:
    code = body + str(check_digit(body))
    canon = normalise(code)
    for form in equivalents(code):
        assert valid(form)
        assert normalise(form) == canon


@given(st.sampled_from("01"), st.text(alphabet="0123456789", min_size=6, max_size=6))
def test_upce_round_trips_through_upca(ns: str, six: str) -> None:
    upca = expand_upce(ns + six + "0")
    upca = upca[:11] + str(check_digit(upca[:11]))
    upce = compress_upca(upca)
    assert upce is not None
    assert expand_upce(upce) == upca
    assert valid(upce)


@given(st.text(alphabet="0123456789", min_size=4, max_size=5), st.data())
def test_a_changed_price_digit_changes_its_check_digit(value: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(value) - 1))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != value[at]]))
    changed = value[:at] + new + value[at + 1 :]
    assert price_check_digit(changed) != price_check_digit(value)


def test_variable_item_reads_the_item_whatever_the_value() -> None:
    body = "20123454" + "0345"  # a wrong price check digit
    assert variable_item(body + str(check_digit(body)), PRICE_LAYOUT) == ("12345", "2012345000001")
    with pytest.raises(VariableCodeError):
        variable_item("5449000000996", PRICE_LAYOUT)
