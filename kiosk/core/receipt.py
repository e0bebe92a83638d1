"""What a printed receipt says: a committed order laid out in lines for a fixed-width printer.

Pure: no I/O. Printers (kiosk.hardware) only render `Receipt.lines` and `Receipt.qr_data`; every
decision about wording, wrapping and alignment is made here, so the ESC/POS printer, the simulated
image printer and the screen all show the same receipt.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import StrEnum

from kiosk.core.models import Order, OrderLine, Payment, PaymentMethod, ShopSettings, TaxLine
from kiosk.core.money import Money, total
from kiosk.core.receipt_words import ENGLISH, ReceiptWords, receipt_words

MIN_WIDTH = 24  # narrower than any receipt paper; below this an amount and its label cannot share
UNSYNCED_MARK = ENGLISH.unsynced  # the mark on an English receipt; see ReceiptWords.unsynced

# Stripe reports brands in lower case ("visa", "amex"); receipts say them as people do.
_BRANDS = {"amex": "American Express", "mastercard": "Mastercard", "visa": "Visa"}


_JOINERS = frozenset("\u200c\u200d")  # format characters some scripts and emoji need
_BREAKS = frozenset({"Cc", "Zl", "Zp"})  # control characters and line breaks become spaces


class LineStyle(StrEnum):
    """How a line is printed. LARGE is double width and height: it has half the columns."""

    NORMAL = "normal"
    BOLD = "bold"
    LARGE = "large"


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One printed line, already aligned with spaces (centred or right-aligned as laid out)."""

    text: str
    style: LineStyle = LineStyle.NORMAL

    def columns(self, width: int) -> int:
        """The columns this line may use on paper `width` columns wide."""
        return width // 2 if self.style is LineStyle.LARGE else width


@dataclass(frozen=True, slots=True)
class Receipt:
    """A receipt laid out for paper `width` columns wide (32 = 58 mm, 48 = 80 mm).

    Contract: every line fits its columns (`ReceiptLine.columns(width)`) and holds no control
    characters; printers print the lines in order, then a QR code of `qr_data`.
    """

    width: int
    lines: tuple[ReceiptLine, ...]
    qr_data: str
    order_id: str
    order_number: str = ""

    def __post_init__(self) -> None:
        if self.width < MIN_WIDTH:
            raise ValueError(
                f"a receipt must be at least {MIN_WIDTH} columns wide, not {self.width}"
            )
        for i, line in enumerate(self.lines):
            cols = line.columns(self.width)
            if len(line.text) > cols:
                raise ValueError(
                    f"receipt line {i} ({line.style}) is {len(line.text)} characters, "
                    f"wider than its {cols} columns: {line.text!r}"
                )
            if any(unicodedata.category(c) in _BREAKS for c in line.text):
                raise ValueError(f"receipt line {i} holds control characters: {line.text!r}")

    @property
    def reference(self) -> str:
        """The order number, or the order id before the order has one."""
        return self.order_number or self.order_id

    def text(self) -> str:
        """The receipt as plain text, one line per printed line."""
        return "\n".join(line.text for line in self.lines)


def device_zone() -> tzinfo:
    """The time zone this device is set to: receipts show the time on the shop's wall clock."""
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


def build_receipt(
    order: Order,
    settings: ShopSettings,
    *,
    width: int = 48,
    header: Sequence[str] = (),
    footer: Sequence[str] = (),
    timezone: tzinfo = UTC,
    unsynced: bool = False,
) -> Receipt:
    """Lay out `order` as a receipt in the language of `settings.locale`. It is marked NOT YET
    SYNCED (in that language) when the order was sold offline or `unsynced` says it has not
    reached the store yet."""
    if width < MIN_WIDTH:
        raise ValueError(f"a receipt must be at least {MIN_WIDTH} columns wide, not {width}")
    b = _Builder(width, settings.locale)
    w = b.words
    b.centred(settings.name, LineStyle.LARGE)
    for text in header:
        b.centred(text)
    b.rule()
    if order.number:
        b.pair(w.order, order.number)
    b.pair(w.date, order.created_at.astimezone(timezone).strftime("%Y-%m-%d %H:%M"))
    if order.cashier:
        b.pair(w.cashier, order.cashier)
    b.rule()
    for line in order.lines:
        _order_line(b, line, order.prices_include_tax)
    b.rule()
    _totals(b, order)
    b.rule()
    for p in order.payments:
        _payment(b, p)
    if order.offline or unsynced:
        b.rule()
        b.centred(w.unsynced, LineStyle.BOLD)
    if footer:
        b.rule()
    for text in footer:
        b.centred(text)
    number = order.number
    return Receipt(
        width=width,
        lines=tuple(b.lines),
        qr_data=f"{number}|{order.id}" if number else order.id,
        order_id=order.id,
        order_number=number,
    )


# -- sections -----------------------------------------------------------------------------------


def _order_line(b: _Builder, line: OrderLine, inclusive: bool) -> None:
    # Each line shows its price before discounts, and the discount under it, so the column of
    # amounts adds up to the subtotal and the discount lines to the discount.
    before = line.subtotal + line.subtotal_tax if inclusive else line.subtotal
    after = line.total + line.total_tax if inclusive else line.total
    prefix = f"{line.quantity} x "
    b.pair(prefix + _line_name(line), b.money(before), indent=len(prefix))
    if after != before:
        b.pair(" " * len(prefix) + b.words.discount, "-" + b.money(before - after))


def _line_name(line: OrderLine) -> str:
    """The name, plus any variation option it does not already carry ("T-shirt - Red, L")."""
    name = _clean(line.name).strip()
    missing = [
        _clean(option).strip()
        for attribute in line.attributes
        for option in attribute.options
        if option.strip() and option.casefold() not in name.casefold()
    ]
    return f"{name} - {', '.join(missing)}" if missing else name


def _totals(b: _Builder, o: Order) -> None:
    inclusive, w = o.prices_include_tax, b.words
    subtotal_tax = total((line.subtotal_tax for line in o.lines), o.currency)
    subtotal = o.subtotal + subtotal_tax if inclusive else o.subtotal
    discount = o.discount_total + o.discount_tax if inclusive else o.discount_total
    b.pair(w.subtotal, b.money(subtotal))
    if discount:
        b.pair(w.discount, "-" + b.money(discount))
    for t in o.tax_lines:
        label = _tax_label(t, w)
        b.pair(w.included(label) if inclusive else label, b.money(t.amount))
    b.total(w.total, b.money(o.total))


def _tax_label(t: TaxLine, w: ReceiptWords) -> str:
    """The rate's name, with its percentage unless the name already says it ("VAT 20%")."""
    label = _clean(t.label) or w.tax
    return label if "%" in label else f"{label} {t.rate.normalize():f}%"


def _payment(b: _Builder, p: Payment) -> None:
    w = b.words
    if p.method is PaymentMethod.CASH:
        b.pair(w.method(p.method), b.money(p.tendered))
        if p.change:
            b.pair(w.change, b.money(p.change))
        return
    if p.method is PaymentMethod.CARD:
        words = [w.method(p.method)]
        if p.card_brand:
            words.append(_BRANDS.get(p.card_brand.casefold(), p.card_brand))
        if p.card_last4:
            # Asterisks, not bullets: the printer's code page (PC858) has no bullet.
            words.append(f"**** {p.card_last4}")
        b.pair(" ".join(words), b.money(p.amount))
        read = [w.entry(p.entry_mode)] if p.entry_mode.strip() else []
        if p.auth_code.strip():
            read.append(f"{w.auth_code} {p.auth_code}")
        if read:
            b.text(", ".join(read), indent=2)
    else:
        b.pair(w.method(p.method), b.money(p.amount))
    if p.reference:
        b.text(f"{w.reference} {p.reference}", indent=2)


# -- layout -------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text without control characters: a product name must never send commands to a printer."""
    return "".join(
        " " if unicodedata.category(c) in _BREAKS else c
        for c in text
        if unicodedata.category(c) != "Cf" or c in _JOINERS
    )


def _wrap(text: str, columns: int, indent: int = 0) -> list[str]:
    """`text` in lines of at most `columns`; long words are split, nothing is dropped."""
    return textwrap.wrap(
        text,
        columns,
        subsequent_indent=" " * min(indent, columns // 2),
        break_on_hyphens=False,
        drop_whitespace=True,
    ) or [""]


class _Builder:
    """Accumulates lines for one receipt width."""

    def __init__(self, width: int, locale: str) -> None:
        self.width = width
        self.locale = locale
        self.words = receipt_words(locale)
        self.lines: list[ReceiptLine] = []

    def money(self, amount: Money) -> str:
        return amount.format(self.locale)

    def add(self, text: str, style: LineStyle = LineStyle.NORMAL) -> None:
        self.lines.append(ReceiptLine(text.rstrip(), style))

    def rule(self) -> None:
        self.add("-" * self.width)

    def centred(self, text: str, style: LineStyle = LineStyle.NORMAL) -> None:
        cols = self.width // 2 if style is LineStyle.LARGE else self.width
        text = _clean(text).strip()
        if text:
            for row in _wrap(text, cols):
                self.add(row.center(cols), style)

    def pair(
        self, left: str, right: str, *, indent: int = 0, style: LineStyle = LineStyle.NORMAL
    ) -> None:
        """`left` wrapped on the left, `right` on its first line's right edge (its own line when
        there is no room beside it)."""
        cols = self.width // 2 if style is LineStyle.LARGE else self.width
        left, right = _clean(left), _clean(right).strip()
        room = cols - len(right) - 1
        if len(left.rstrip()) > room and room < cols // 2:
            for row in _wrap(left, cols, indent):
                self.add(row, style)
            self.add(right.rjust(cols), style)
            return
        rows = _wrap(left, room, indent)
        self.add(rows[0].ljust(cols - len(right)) + right, style)
        for row in rows[1:]:
            self.add(row, style)

    def text(self, text: str, *, indent: int = 0) -> None:
        """`text` wrapped, every row indented by `indent` columns."""
        for row in _wrap(_clean(text).strip(), self.width - indent):
            self.add(" " * indent + row)

    def total(self, label: str, amount: str) -> None:
        """The total large when it fits on one large line, else bold."""
        if len(label) + 1 + len(amount) <= self.width // 2:
            self.pair(label, amount, style=LineStyle.LARGE)
        else:
            self.pair(label, amount, style=LineStyle.BOLD)
