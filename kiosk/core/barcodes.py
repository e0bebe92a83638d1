"""What a scanned code means: GTIN check digits, equivalent forms, GS1 variable-measure codes.

Pure logic, no I/O. A keyboard-wedge or serial scanner sends the digits without saying which
symbology it read, so an all-digit code is told apart by its length: 8 is UPC-E or EAN-8, 12
UPC-A, 13 EAN-13, 14 GTIN-14. Anything else (Code 128, QR, a typed SKU) carries no check digit
that we know of and passes through as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from kiosk.core.money import Money

RESCAN = "this barcode did not read correctly: scan it again"


class Symbology(StrEnum):
    EAN13 = "ean13"
    EAN8 = "ean8"
    UPCA = "upca"
    UPCE = "upce"
    GTIN14 = "gtin14"
    OTHER = "other"  # Code 128, QR, and any code without a check digit we know


_LENGTHS = {12: Symbology.UPCA, 13: Symbology.EAN13, 14: Symbology.GTIN14}


def _numeric(code: str) -> bool:
    # str.isdigit() also accepts "²" and Arabic-Indic digits, which no scanner sends for a GTIN.
    return code.isascii() and code.isdigit()


def check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of `body` (weights 3, 1, 3, ... from the right)."""
    if not body or not _numeric(body):
        raise ValueError(f"a check digit is computed over digits only, not {body!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return -total % 10


def _gtin_ok(code: str) -> bool:
    return len(code) >= 2 and _numeric(code) and check_digit(code[:-1]) == int(code[-1])


# UPC-E keeps six of UPC-A's ten manufacturer and product digits; the last of the six says
# where the zeros go (the UPC-E zero-suppression table).
def expand_upce(code: str) -> str:
    """The UPC-A (12 digits) for a UPC-E code (number system 0 or 1, six digits, check digit).

    The check digit is carried over unchanged (a UPC-E's check digit is its UPC-A's); raises
    ValueError when `code` is not eight digits starting with 0 or 1.
    """
    if len(code) != 8 or not _numeric(code) or code[0] not in "01":
        raise ValueError(f"a UPC-E code is 8 digits starting with 0 or 1, not {code!r}")
    ns, d, check = code[0], code[1:7], code[7]
    last = d[5]
    if last in "012":
        body = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[0:4] + "00000" + d[4]
    else:
        body = d[0:5] + "0000" + last
    return ns + body + check


def compress_upca(code: str) -> str | None:
    """The UPC-E form of a UPC-A code, or None when it has none (the inverse of expand_upce)."""
    if len(code) != 12 or not _numeric(code) or code[0] not in "01":
        return None
    ns, m, p, check = code[0], code[1:6], code[6:11], code[11]
    if m[2] in "012" and m[3:] == "00" and p[:2] == "00":
        d = m[:2] + p[2:] + m[2]
    elif m[3:] == "00" and p[:3] == "000":
        d = m[:3] + p[3:] + "3"
    elif m[4] == "0" and p[:4] == "0000":
        d = m[:4] + p[4] + "4"
    elif p[:4] == "0000" and p[4] in "56789":
        d = m + p[4]
    else:
        return None
    return ns + d + check


def _upce_ok(code: str) -> bool:
    return len(code) == 8 and _numeric(code) and code[0] in "01" and _gtin_ok(expand_upce(code))


def classify(code: str) -> Symbology:
    """The symbology an all-digit code of this length is; OTHER for everything else.

    Eight digits starting with 0 or 1 are UPC-E when its check digit holds (an EAN-8 rarely
    starts so), otherwise EAN-8.
    """
    code = code.strip()
    if not _numeric(code):
        return Symbology.OTHER
    if len(code) == 8:
        if _upce_ok(code) or (code[0] in "01" and not _gtin_ok(code)):
            return Symbology.UPCE
        return Symbology.EAN8
    return _LENGTHS.get(len(code), Symbology.OTHER)


def valid(code: str) -> bool:
    """True for an EAN-13, EAN-8, UPC-A, UPC-E or GTIN-14 whose check digit is right."""
    kind = classify(code)
    code = code.strip()
    if kind is Symbology.UPCE:
        return _upce_ok(code)
    return kind is not Symbology.OTHER and _gtin_ok(code)


def normalise(code: str) -> str:
    """The canonical form to look a product up by.

    A valid GTIN becomes its 13 digits (UPC-A gains a leading 0, UPC-E expands to its UPC-A
    first, EAN-8 is zero-padded, a GTIN-14 with indicator 0 drops it); a GTIN-14 with another
    indicator keeps 14. A numeric code whose check digit is wrong, and any other text, comes
    back stripped and otherwise unchanged: a misread is never corrected by guessing.
    """
    code = code.strip()
    if not valid(code):
        return code
    if classify(code) is Symbology.UPCE:
        code = expand_upce(code)
    padded = code.zfill(14)
    return padded[1:] if padded[0] == "0" else padded


def equivalents(code: str) -> tuple[str, ...]:
    """Every form a store may hold the same item under: the code as scanned first, then its
    GTIN-13, GTIN-14, UPC-A and EAN-8 forms and its UPC-E when it has one. A code with a wrong check
    digit, and any other text, has only itself."""
    code = code.strip()
    forms = [code]
    if valid(code):
        padded = normalise(code).zfill(14)
        # Eight digits starting 0 or 1 may be some other item's UPC-E: not an EAN-8 form.
        lengths = (13, 14, 12, 8) if padded[6] not in "01" else (13, 14, 12)
        forms += [padded[14 - n :] for n in lengths if set(padded[: 14 - n]) <= {"0"}]
        upce = compress_upca(padded[2:]) if padded[:2] == "00" else None
        if upce is not None:
            forms.append(upce)
    return tuple(dict.fromkeys(forms))


@dataclass(frozen=True, slots=True)
class Scanned:
    """A scanned code read: its symbology, whether its check digit holds, its lookup forms."""

    text: str  # the code as scanned, stripped
    symbology: Symbology
    check_ok: bool  # False only for a numeric EAN/UPC/GTIN whose check digit is wrong
    canonical: str
    forms: tuple[str, ...]

    @property
    def misread(self) -> bool:
        """The scanner misread it: say RESCAN to the cashier, never guess a product."""
        return not self.check_ok


def scan(code: str) -> Scanned:
    """Read a code as the scanner sent it (whitespace and terminators stripped)."""
    text = code.strip()
    kind = classify(text)
    ok = kind is Symbology.OTHER or valid(text)
    return Scanned(text, kind, ok, normalise(text), equivalents(text))


# -- GS1 variable-measure codes (restricted circulation, prefix 2x) -----------------------------

# Weighted digit values of the GS1 price/weight verifier digit (General Specifications 7.9.3):
# "2-" doubles and subtracts the tens, "3" triples, "5+" and "5-" add or subtract the tens.
_W2M = (0, 2, 4, 6, 8, 9, 1, 3, 5, 7)
_W3 = (0, 3, 6, 9, 2, 5, 8, 1, 4, 7)
_W5P = (0, 5, 1, 6, 2, 7, 3, 8, 4, 9)
_W5M = (0, 5, 9, 4, 8, 3, 7, 2, 6, 1)


def price_check_digit(value: str) -> int:
    """The GS1 verifier digit of a 4- or 5-digit price or weight field."""
    if not _numeric(value) or len(value) not in (4, 5):
        raise ValueError(f"a price check digit covers 4 or 5 digits, not {value!r}")
    d = [int(c) for c in value]
    if len(d) == 4:
        return (_W2M[d[0]] + _W2M[d[1]] + _W3[d[2]] + _W5M[d[3]]) * 3 % 10
    total = _W5P[d[0]] + _W2M[d[1]] + _W5M[d[2]] + _W5P[d[3]] + _W2M[d[4]]
    return _W5M.index(-total % 10)


class Measure(StrEnum):
    PRICE = "price"  # minor units of the shop's currency
    WEIGHT = "weight"  # grams


@dataclass(frozen=True, slots=True)
class VariableLayout:
    """How a shop lays out its variable-measure EAN-13s: prefix, item code, optional verifier
    digit, value, check digit; the parts must add up to 13 digits."""

    prefixes: tuple[str, ...]
    item_digits: int = 5
    measure: Measure = Measure.PRICE
    value_digits: int = 4
    value_check: bool = True  # a GS1 verifier digit for the value precedes it

    def __post_init__(self) -> None:
        ps = self.prefixes
        if not ps or not all(isinstance(p, str) and _numeric(p) for p in ps):
            raise ValueError(f"variable-measure prefixes must be digits, such as '20', not {ps!r}")
        if not all(p.startswith(("2", "02")) for p in ps):
            raise ValueError(f"variable-measure prefixes start with 2 (or 02 in UPC), not {ps!r}")
        if len({len(p) for p in ps}) != 1:
            raise ValueError(f"variable-measure prefixes must all be as long, not {ps!r}")
        if self.value_check and self.value_digits not in (4, 5):
            raise ValueError(
                f"a value with a check digit has 4 or 5 digits, not {self.value_digits}"
            )
        used = len(ps[0]) + self.item_digits + int(self.value_check) + self.value_digits + 1
        if self.item_digits < 1 or self.value_digits < 1 or used != 13:
            raise ValueError(
                f"a variable-measure layout must fill 13 digits: prefix {len(ps[0])} + item "
                f"{self.item_digits} + check {int(self.value_check)} + value "
                f"{self.value_digits} + 1 makes {used}"
            )


# UK style: 2x, a 5-digit item, a verifier digit and a 4-digit price in pence; the upper
# prefixes carry a 5-digit weight in grams instead. Shops configure their own.
PRICE_LAYOUT = VariableLayout(prefixes=("20", "21", "22", "23", "24"))
WEIGHT_LAYOUT = VariableLayout(
    prefixes=("25", "26", "27", "28", "29"),
    measure=Measure.WEIGHT,
    value_digits=5,
    value_check=False,
)
DEFAULT_LAYOUTS: tuple[VariableLayout, ...] = (PRICE_LAYOUT, WEIGHT_LAYOUT)


class VariableCodeError(ValueError):
    """A variable-measure code cannot be read with its layout; the message is for the cashier."""


@dataclass(frozen=True, slots=True)
class VariableMeasure:
    item_code: str  # the item digits alone, as a store may hold them as SKU or barcode
    price: Money | None
    weight_g: int | None
    zeroed: str  # the code with value and verifier zeroed: the item's barcode in the store


def find_layout(code: str, layouts: Sequence[VariableLayout]) -> VariableLayout | None:
    """The first layout whose prefix a valid EAN-13 (or UPC-A) code starts with."""
    canon = normalise(code)
    if len(canon) != 13 or not valid(canon):
        return None
    return next((lay for lay in layouts if canon.startswith(lay.prefixes)), None)


def _variable_parts(code: str, layout: VariableLayout) -> tuple[str, int, str]:
    """The normalised code, where its value field (or verifier) starts, and its zeroed form."""
    canon = normalise(code)
    if len(canon) != 13 or not valid(canon) or not canon.startswith(layout.prefixes):
        raise VariableCodeError(f"{code.strip()!r} is not a variable-measure code of this shop")
    at = len(layout.prefixes[0]) + layout.item_digits
    body = canon[:at] + "0" * (12 - at)
    return canon, at, body + str(check_digit(body))


def variable_item(code: str, layout: VariableLayout) -> tuple[str, str]:
    """The item code and the zeroed code of a variable-measure code, whatever its value reads;
    raises VariableCodeError when it is not a valid EAN-13 of this layout."""
    canon, at, zeroed = _variable_parts(code, layout)
    return canon[at - layout.item_digits : at], zeroed


def decode_variable(code: str, layout: VariableLayout, currency: str) -> VariableMeasure:
    """The item code and price (in `currency`) or weight a variable-measure code carries.

    Raises VariableCodeError when the code is not a valid EAN-13 of this layout, or when its
    value's verifier digit is wrong (the value was misread: the cashier must scan again).
    """
    canon, at, zeroed = _variable_parts(code, layout)
    item = canon[at - layout.item_digits : at]
    start = at + int(layout.value_check)
    value = canon[start : start + layout.value_digits]
    if layout.value_check and price_check_digit(value) != int(canon[at]):
        raise VariableCodeError(f"the {layout.measure.value} in {canon}: {RESCAN}")
    if layout.measure is Measure.PRICE:
        return VariableMeasure(item, Money(int(value), currency), None, zeroed)
    return VariableMeasure(item, None, int(value), zeroed)
