"""The test page a technician prints (`kiosk hw test-print`, the app's Devices sheet): the shop,
the printer, the paper's width, the accented letters and currency signs the shop's language needs,
and a QR code, so one look tells whether all of it prints."""

from __future__ import annotations

from datetime import datetime

from kiosk.core.receipt import LineStyle, Receipt, ReceiptLine

CHARACTERS = "é è à ç ü ö ß ñ € £ ¥"


def test_page(shop: str, printer: str, columns: int, *, now: datetime) -> Receipt:
    def centred(text: str, style: LineStyle = LineStyle.NORMAL) -> ReceiptLine:
        width = columns // 2 if style is LineStyle.LARGE else columns
        return ReceiptLine(text[:width].center(width).rstrip(), style)

    rule = ReceiptLine("-" * columns)
    lines = (
        centred(shop or "Test page", LineStyle.LARGE),
        centred("Printer test page", LineStyle.BOLD),
        rule,
        ReceiptLine(f"Printer: {printer}"[:columns]),
        ReceiptLine(f"Paper: {columns} columns"[:columns]),
        ReceiptLine(f"Printed: {now:%Y-%m-%d %H:%M}"[:columns]),
        rule,
        ReceiptLine("0123456789" * (columns // 10) + "0123456789"[: columns % 10]),
        ReceiptLine(CHARACTERS[:columns]),
        ReceiptLine("Bold line", LineStyle.BOLD),
        rule,
        centred("Scan the code below with a phone"),
    )
    return Receipt(
        width=columns,
        lines=lines,
        qr_data=f"kiosk test page {now:%Y%m%d%H%M%S}",
        order_id="test-page",
    )
