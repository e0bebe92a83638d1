"""An X or Z report laid out as a Receipt, so it prints wherever receipts print (the ESC/POS
printer and the image printer) through the same ReceiptPrinter.print_receipt."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, tzinfo

from kiosk.core.money import Money
from kiosk.core.receipt import MIN_WIDTH, LineStyle, Receipt, ReceiptLine
from kiosk.shifts.report import ReportKind, ShiftReport

METHOD_WORDS = {"cash": "Cash", "card": "Card", "other": "Other"}


def report_reference(r: ShiftReport) -> str:
    """ "Z-0003" / "X-0003": the report's name on paper and the image printer's file name."""
    return f"{r.kind.value}-{r.shift.number:04d}"


class _Lines:
    def __init__(self, width: int, locale: str) -> None:
        self.width, self.locale = width, locale
        self.out: list[ReceiptLine] = []

    def money(self, amount: Money) -> str:
        return amount.format(self.locale)

    def add(self, text: str, style: LineStyle = LineStyle.NORMAL) -> None:
        cols = self.width // 2 if style is LineStyle.LARGE else self.width
        text = "".join(c if c.isprintable() else " " for c in text).rstrip()
        indent = " " * min(len(text) - len(text.lstrip()) + 2, cols // 2)
        # A long name or reason wraps at its spaces (words longer than the paper are split).
        for row in textwrap.wrap(text, cols, subsequent_indent=indent, drop_whitespace=False):
            self.out.append(ReceiptLine(row.rstrip(), style))
        if not text:
            self.out.append(ReceiptLine("", style))

    def rule(self) -> None:
        self.add("-" * self.width)

    def pair(self, left: str, right: str, style: LineStyle = LineStyle.NORMAL) -> None:
        cols = self.width // 2 if style is LineStyle.LARGE else self.width
        room = cols - len(right) - 1
        if len(left) > room:
            self.add(left, style)
            self.add(right.rjust(cols), style)
        else:
            self.add(left.ljust(cols - len(right)) + right, style)

    def amount(self, left: str, amount: Money, style: LineStyle = LineStyle.NORMAL) -> None:
        self.pair(left, self.money(amount), style)


def report_receipt(
    r: ShiftReport,
    *,
    shop: str = "",
    locale: str = "en_US",
    width: int = 48,
    timezone: tzinfo = UTC,
) -> Receipt:
    """The report on paper `width` columns wide, times on the shop's wall clock."""
    if width < MIN_WIDTH:
        raise ValueError(f"a report must be at least {MIN_WIDTH} columns wide, not {width}")
    b = _Lines(width, locale)
    s = r.shift

    def when(t: datetime) -> str:
        return t.astimezone(timezone).strftime("%Y-%m-%d %H:%M")

    for row in textwrap.wrap(shop.strip(), width // 2):
        b.add(row.center(width // 2), LineStyle.LARGE)
    title = "Z report (shift closed)" if r.kind is ReportKind.Z else "X report (shift open)"
    b.add(title.center(width), LineStyle.BOLD)
    b.rule()
    b.pair("Shift", str(s.number))
    b.pair("Opened", f"{when(s.opened_at)} {s.opened_by}")
    if r.kind is ReportKind.Z:
        b.pair("Closed", f"{when(r.until)} {s.closed_by or ''}".rstrip())
    else:
        b.pair("As of", when(r.until))
    b.rule()
    b.pair("Orders", str(r.orders))
    b.amount("Sales (with tax)", r.gross)
    b.amount("Sales without tax", r.net)
    b.amount("Discounts given", r.discounts)
    b.rule()
    b.add("Sales by tender", LineStyle.BOLD)
    for t in r.by_tender:
        b.amount(f"  {METHOD_WORDS.get(t.method, t.method)} ({t.count})", t.amount)
    if not r.by_tender:
        b.add("  none")
    b.add("Tax by rate", LineStyle.BOLD)
    for tax in r.taxes:
        label = tax.label if "%" in tax.label else f"{tax.label} {tax.rate.normalize():f}%"
        b.amount(f"  {label}", tax.amount)
    b.amount("  Tax total", r.tax)
    b.add("Refunds", LineStyle.BOLD)
    if not r.refunds_known:
        b.add("  not kept on this device")
    for t in r.refunds:
        b.amount(f"  {METHOD_WORDS.get(t.method, t.method)} ({t.count})", t.amount)
    if r.refunds_known:
        b.amount("  Refunds total", r.refunded)
    b.add("Sales by staff", LineStyle.BOLD)
    for st in r.by_staff:
        b.amount(f"  {st.name or 'nobody signed in'} ({st.orders})", st.amount)
    b.rule()
    b.add("Cash drawer", LineStyle.BOLD)
    b.amount("  Float", s.float)
    b.amount("  Cash sales", r.cash_sales)
    b.amount("  Cash refunds", -r.cash_refunds)
    for mv in r.movements:
        b.amount(f"  {'In' if mv.signed.minor > 0 else 'Out'}: {mv.reason} ({mv.staff})", mv.signed)
    b.amount("Expected cash", r.expected_cash, LineStyle.BOLD)
    if r.counted is not None and r.variance is not None:
        b.amount("Counted cash", r.counted, LineStyle.BOLD)
        sign = "+" if r.variance.minor > 0 else ""
        b.pair("Variance", sign + b.money(r.variance), LineStyle.BOLD)
    b.rule()
    b.pair("No-sale drawer openings", str(r.no_sales))
    b.pair("Manager overrides", str(r.overrides))
    for warning in r.warnings:
        b.add(warning)
    reference = report_reference(r)
    return Receipt(
        width=width,
        lines=tuple(b.out),
        qr_data=f"{reference}|{s.id}",
        order_id=s.id,
        order_number=reference,
    )
