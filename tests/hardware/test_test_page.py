from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.core.receipt import LineStyle
from kiosk.hardware.test_page import CHARACTERS
from kiosk.hardware.test_page import test_page as make_test_page

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("columns", [32, 48])
def test_the_test_page_fits_the_paper_and_shows_what_must_print(columns: int) -> None:
    page = make_test_page("Corner Café", "usb:04b8:0202", columns, now=NOW)
    assert page.width == columns  # Receipt itself refuses a line wider than its columns
    text = page.text()
    assert "Corner Café" in text
    assert "Printer: usb:04b8:0202" in text
    assert f"Paper: {columns} columns" in text
    assert CHARACTERS in text
    ruler = next(line.text for line in page.lines if line.text.startswith("0123456789"))
    assert len(ruler) == columns  # the last column printed shows the paper is not cut short
    assert page.lines[0].style is LineStyle.LARGE
    assert page.qr_data == "kiosk test page 20261123093000"
