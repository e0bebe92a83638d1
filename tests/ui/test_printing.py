"""The till with a real ESC/POS printer on the network (a local port-9100 printer): the receipt
and the drawer after a cash sale, a sale that stands when the printer is off, and the receipt
printed again from the Devices sheet once the printer is back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import HardwareConfig
from kiosk.sim.woocommerce import SimHandle
from tests.hardware.escpos_decoder import Decoded, DecodeError, Pulse, decode
from tests.hardware.tcp_printer import TcpPrinter
from tests.ui import records
from tests.ui.harness import provision, running_till

pytestmark = pytest.mark.timeout(240)


def printed(printer: TcpPrinter) -> list[Decoded]:
    """The jobs that printed or kicked something (the app also asks the printer's state)."""
    out = []
    for job in printer.sent():
        try:
            got = decode(job)
        except DecodeError:
            continue
        if got.texts or got.pulses:
            out.append(got)
    return out


def receipt_for(printer: TcpPrinter, number: str) -> Decoded | None:
    return next((j for j in printed(printer) if any(number in t for t in j.texts)), None)


@pytest.fixture
def printer() -> Iterator[TcpPrinter]:
    server = TcpPrinter()
    yield server
    server.close()


async def test_receipt_drawer_and_a_printer_that_goes_off(
    tmp_path: Path, display: str, store: SimHandle, printer: TcpPrinter
) -> None:
    data_dir = tmp_path / "device"
    uri = f"tcp:127.0.0.1:{printer.port}?timeout=2"
    provision(data_dir, store, HardwareConfig(printer=uri, paper_mm=58, drawer_pin=5))
    item = records.simple(store, 1)
    async with running_till(data_dir, display, "800x480") as till:
        # A cash sale: the receipt comes out of the printer (58 mm: 32 columns), then the drawer.
        await till.scan(item["global_unique_id"])
        await till.tap(role="pay")
        await till.tap(role="quick-cash", index=0)
        await till.wait_text("Sale complete")
        await till.tap("New sale", exact=True)
        await till.until(lambda: receipt_for(printer, "POS-00001") is not None)
        receipt = receipt_for(printer, "POS-00001")
        assert receipt is not None
        assert all(len(t) <= 32 for t in receipt.texts)
        assert any(item["name"].split()[0] in t for t in receipt.texts), receipt.texts
        assert receipt.cuts
        await till.until(lambda: any(j.pulses for j in printed(printer)))
        kicks = [p for j in printed(printer) for p in j.pulses]
        assert kicks == [Pulse(pin=5, t1=50, t2=50)]

        # The printer goes off: the sale still stands, and the cashier is told.
        port = printer.port
        printer.close()
        await till.scan(item["global_unique_id"])
        await till.tap(role="pay")
        await till.tap(role="quick-cash", index=0)
        await till.wait_text("Sale complete")
        screen = await till.screen_text()
        assert "The receipt did not print" in screen
        await till.shot("22-printer-off")

        # Back on: the cashier prints it from the same sheet, and later from Devices.
        again = TcpPrinter(port)
        try:
            await till.tap("Print the receipt again")
            assert "The receipt has printed" in await till.screen_text()
            assert receipt_for(again, "POS-00002") is not None
            await till.tap("New sale", exact=True)
            numbers = [o["number"] for o in records.orders(data_dir)]
            assert numbers == ["POS-00001", "POS-00002"]
            await till.tap(role="devices")
            await till.tap("Last receipt again")
            assert "The last receipt was printed again" in await till.screen_text()
            copies = [j for j in printed(again) if any("POS-00002" in t for t in j.texts)]
            assert len(copies) == 2
        finally:
            again.close()
