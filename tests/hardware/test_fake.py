"""The in-memory printer: records receipts and drawer kicks, and fails as a faulty printer does."""

from __future__ import annotations

import pytest

from kiosk.hardware.base import PrinterError, PrinterState, PrinterStatus, ReceiptPrinter
from kiosk.hardware.fake import FakePrinter
from tests.hardware.receipts import a_receipt


async def test_prints_and_opens_the_drawer_when_ready() -> None:
    printer = FakePrinter()
    assert isinstance(printer, ReceiptPrinter)
    assert await printer.status() == PrinterStatus(PrinterState.READY)
    receipt = a_receipt()
    await printer.print_receipt(receipt)
    await printer.open_drawer()
    await printer.open_drawer()
    assert printer.printed == [receipt]
    assert printer.drawer_opened == 2


@pytest.mark.parametrize(
    ("state", "detail", "message"),
    [
        (PrinterState.PAPER_OUT, "", "The printer is out of paper"),
        (PrinterState.COVER_OPEN, "", "The printer cover is open"),
        (PrinterState.OFFLINE, "", "The printer is not connected: check its cable and power"),
        (PrinterState.BUSY, "Printing another receipt", "Printing another receipt"),
    ],
)
async def test_a_printer_that_is_not_ready_refuses_with_words_for_people(
    state: PrinterState, detail: str, message: str
) -> None:
    printer = FakePrinter()
    printer.set_state(state, detail)
    status = await printer.status()
    assert (status.state, status.ready, status.message) == (state, False, message)
    with pytest.raises(PrinterError) as e:
        await printer.print_receipt(a_receipt())
    assert str(e.value) == message
    with pytest.raises(PrinterError, match=message):
        await printer.open_drawer()
    assert (printer.printed, printer.drawer_opened) == ([], 0)
    printer.set_state(PrinterState.READY)  # paper loaded again: printing resumes
    await printer.print_receipt(a_receipt())
    assert len(printer.printed) == 1
