"""An in-memory receipt printer for tests: it keeps what it printed and counts drawer kicks."""

from __future__ import annotations

from kiosk.core.receipt import Receipt
from kiosk.hardware.base import SettableStatus, check_ready


class FakePrinter(SettableStatus):
    """A ReceiptPrinter in memory. `set_state` to anything but READY makes later prints and
    drawer kicks raise PrinterError, as a real printer with a fault would."""

    def __init__(self) -> None:
        self.printed: list[Receipt] = []
        self.drawer_opened = 0
        super().__init__()

    async def print_receipt(self, receipt: Receipt) -> None:
        check_ready(self._status)
        self.printed.append(receipt)

    async def open_drawer(self) -> None:
        check_ready(self._status)
        self.drawer_opened += 1
