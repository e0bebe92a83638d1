"""The ESC/POS printer end to end: python-escpos writes to a pty's serial side through pyserial,
as to a printer on /dev/ttyUSB0; the test is the printer on the other end. It reads what was
sent and decodes it, answers status requests, or vanishes mid-receipt. Also over TCP and into a
file."""

from __future__ import annotations

import asyncio
import os
import select
import threading
import tty
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from kiosk.core.receipt import LineStyle
from kiosk.hardware.base import PrinterError, PrinterState, PrinterStatus, ReceiptPrinter
from kiosk.hardware.printer_escpos import EscposPrinter
from kiosk.hardware.printer_uri import PrinterUri, open_printer, usb_backend
from kiosk.hardware.test_page import CHARACTERS
from kiosk.hardware.test_page import test_page as make_test_page
from tests.hardware import escpos_decoder as d
from tests.hardware.escpos_decoder import decode
from tests.hardware.receipts import a_receipt
from tests.hardware.tcp_printer import TcpPrinter

NOT_CONNECTED = "The printer is not connected: check its cable and power"
DLE_EOT = b"\x10\x04"
# DLE EOT n answers (Epson): bits 1 and 4 are always set (0x12).
READY = {1: 0x12, 2: 0x12, 4: 0x12}
PAPER_OUT = {1: 0x1A, 2: 0x32, 4: 0x72}  # offline; stopped at paper end; paper end sensor
COVER_OPEN = {1: 0x1A, 2: 0x16, 4: 0x12}  # offline; cover open
PAPER_LOW = {1: 0x12, 2: 0x12, 4: 0x1E}  # online; near-end sensor
FAULT = {1: 0x1A, 2: 0x52, 4: 0x12}  # offline; an error (cutter jammed, head too hot)
MARK = b"\x00--sync--\x00"  # written on the till's side after a job: all before it has arrived


class PtyPrinter:
    """The printer's end of a pty pair, its till end reachable at `link` (as udev's
    /dev/kiosk-printer is): collects what it is sent, answers DLE EOT n with `answers[n]`,
    and with `unplug_after` vanishes once it has that many bytes."""

    def __init__(
        self,
        link: Path,
        answers: dict[int, int] | None = None,
        *,
        unplug_after: int | None = None,
        pause_after: int | None = None,
    ) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no echo, no newline translation, as a serial line
        self.link = link
        link.unlink(missing_ok=True)
        link.symlink_to(os.ttyname(self.slave))
        self.answers = dict(READY if answers is None else answers)
        self.unplug_after = unplug_after
        self.pause_after = pause_after
        self.received = bytearray()
        self.reading = threading.Event()  # cleared: the printer takes no data (busy)
        self.reading.set()
        self.paused = threading.Event()
        self._changed = threading.Condition()
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def uri(self) -> str:
        return f"serial:{self.link}?baudrate=19200"

    def _serve(self) -> None:
        while self.reading.wait():
            ready, _, _ = select.select([self.master, self._stop_r], [], [])
            if self._stop_r in ready:
                return
            chunk = os.read(self.master, 4096)
            with self._changed:
                self.received += chunk
                self._changed.notify_all()
            tail = bytes(self.received[-3:])
            if tail[:2] == DLE_EOT and len(tail) == 3 and tail[2] in self.answers:
                os.write(self.master, bytes([self.answers[tail[2]]]))
            if self.unplug_after is not None and len(self.received) >= self.unplug_after:
                self.unplug()
                return
            if self.pause_after is not None and len(self.received) >= self.pause_after:
                self.pause_after = None
                self.reading.clear()
                self.paused.set()

    def sent(self) -> bytes:
        """Everything the till sent since the last call (synchronised through the pty)."""
        os.write(self.slave, MARK)
        with self._changed:
            assert self._changed.wait_for(lambda: self.received.endswith(MARK), timeout=10)
            data = bytes(self.received[: -len(MARK)])
            self.received.clear()
        return data

    def unplug(self) -> None:
        """The cable is pulled: the device node goes and writes to it fail."""
        self.link.unlink(missing_ok=True)
        for fd in (self.master, self.slave):
            os.close(fd)
        self.master = self.slave = -1

    def close(self) -> None:
        self.reading.set()
        os.write(self._stop_w, b"x")
        self._thread.join(timeout=10)
        if self.master >= 0:
            self.unplug()
        os.close(self._stop_r)
        os.close(self._stop_w)


@pytest.fixture
def link(tmp_path: Path) -> Path:
    return tmp_path / "kiosk-printer"


@pytest.fixture
def device(link: Path) -> Iterator[PtyPrinter]:
    printer = PtyPrinter(link)
    yield printer
    printer.close()


@pytest.mark.parametrize("width", [48, 32])
async def test_a_receipt_reaches_the_printer_line_by_line(device: PtyPrinter, width: int) -> None:
    printer = EscposPrinter(device.uri, columns=width)
    assert isinstance(printer, ReceiptPrinter)
    receipt = a_receipt("POS-00031", width=width)
    await printer.print_receipt(receipt)
    out = decode(device.sent())
    assert out.status_requests == [d.StatusRequest(1), d.StatusRequest(4)]  # asked first
    assert out.texts[: len(receipt.lines)] == [line.text for line in receipt.lines]
    styles = [(ln.large, ln.bold) for ln in out.lines[: len(receipt.lines)]]
    assert styles == [
        (line.style is LineStyle.LARGE, line.style is not LineStyle.NORMAL)
        for line in receipt.lines
    ]
    assert all(ln.columns <= width for ln in out.lines)
    assert [q.data for q in out.qr_codes] == [receipt.qr_data]
    assert out.cuts == [d.Cut(partial=False)]
    assert printer.last_status == PrinterStatus(PrinterState.READY)


async def test_the_shops_characters_come_through_the_code_page(device: PtyPrinter) -> None:
    printer = EscposPrinter(device.uri)
    page = make_test_page("Café Zürich", device.uri, 48, now=datetime(2026, 11, 23, tzinfo=UTC))
    await printer.print_receipt(page)
    out = decode(device.sent())
    assert out.code_pages == [d.CodePage(19, "cp858")]
    assert out.texts[0].strip() == "Café Zürich"
    assert out.lines[0].large
    assert CHARACTERS in out.texts  # é è à ç ü ö ß ñ € £ ¥, each through PC858
    assert "Paper: 48 columns" in out.texts
    assert "0123456789" * 4 + "01234567" in out.texts
    assert [q.data for q in out.qr_codes] == [page.qr_data]
    assert out.cuts == [d.Cut(partial=False)]


@pytest.mark.parametrize(("pin", "pulse_ms", "t1"), [(2, 100, 50), (5, 100, 50), (5, 240, 120)])
async def test_the_drawer_is_kicked_on_its_pin_for_its_pulse(
    device: PtyPrinter, pin: int, pulse_ms: int, t1: int
) -> None:
    printer = EscposPrinter(device.uri, drawer_pin=pin, pulse_ms=pulse_ms)
    await printer.open_drawer()
    out = decode(device.sent())
    assert out.pulses == [d.Pulse(pin, t1, t1)]
    assert out.pulses[0].on_ms == pulse_ms
    assert out.lines == []  # nothing printed, no paper wasted


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"drawer_pin": 3}, "drawer_pin must be 2 or 5"),
        ({"pulse_ms": 1}, "drawer_pulse_ms must be 2..510 ms, not 1"),
        ({"pulse_ms": 511}, "drawer_pulse_ms must be 2..510 ms, not 511"),
        ({"columns": 12}, "columns must be 24..64"),
        ({"logo": Path("/nowhere/logo.png")}, "logo: no image file at /nowhere/logo.png"),
    ],
)
def test_settings_are_checked_up_front(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EscposPrinter("serial:/dev/ttyUSB0", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("answers", "state", "detail"),
    [
        (READY, PrinterState.READY, ""),
        (PAPER_LOW, PrinterState.READY, "Paper is running low"),
        (PAPER_OUT, PrinterState.PAPER_OUT, ""),
        (COVER_OPEN, PrinterState.COVER_OPEN, ""),
        (FAULT, PrinterState.OFFLINE, "The printer reports an error"),
    ],
)
async def test_status_is_what_the_printer_answers(
    link: Path, answers: dict[int, int], state: PrinterState, detail: str
) -> None:
    device = PtyPrinter(link, answers)
    try:
        status = await EscposPrinter(device.uri).status()
        requests = decode(device.sent()).status_requests
    finally:
        device.close()
    assert status.state is state
    assert status.detail.startswith(detail)
    assert requests[0] == d.StatusRequest(1)  # online first; then the cause, or the paper


async def test_no_receipt_is_sent_to_a_printer_out_of_paper(device: PtyPrinter) -> None:
    device.answers = dict(PAPER_OUT)
    printer = EscposPrinter(device.uri)
    with pytest.raises(PrinterError, match="The printer is out of paper"):
        await printer.print_receipt(a_receipt())
    assert printer.last_status.state is PrinterState.PAPER_OUT
    out = decode(device.sent())
    assert (out.lines, out.cuts) == ([], [])  # only the questions went out
    # paper loaded: the next receipt prints
    device.answers = dict(READY)
    await printer.print_receipt(a_receipt())
    assert decode(device.sent()).cuts
    assert printer.last_status.ready


async def test_a_printer_that_does_not_answer(link: Path) -> None:
    device = PtyPrinter(link, answers={})
    try:
        printer = EscposPrinter(f"serial:{link}?timeout=0.2")
        status = await printer.status()
        assert status.state is PrinterState.OFFLINE
        assert "does not answer" in status.message
        # it may still print (a cable with no return line): the receipt is sent anyway
        await printer.print_receipt(a_receipt())
        assert decode(device.sent()).cuts == [d.Cut(partial=False)]
    finally:
        device.close()


def tall_logo(path: Path) -> Path:
    # 576 x 3000 dots: 216 kB of raster, more than the pty holds, so the till is still
    # writing when the printer goes
    Image.new("L", (576, 3000), 0).save(path)
    return path


async def test_the_printer_vanishing_mid_receipt(link: Path, tmp_path: Path) -> None:
    logo = tall_logo(tmp_path / "logo.png")
    device = PtyPrinter(link, unplug_after=8192)
    printer = EscposPrinter(f"serial:{link}", logo=logo)
    with pytest.raises(PrinterError) as error:
        await printer.print_receipt(a_receipt())
    assert str(error.value) == "The printer stopped answering: check its cable and power"
    assert printer.last_status.state is PrinterState.OFFLINE
    assert printer.last_status.message == str(error.value)
    device.close()

    # gone: checks and jobs say so, and the drawer too
    status = await printer.status()
    assert status.state is PrinterState.OFFLINE
    assert status.message == NOT_CONNECTED
    with pytest.raises(PrinterError, match=rf"^{NOT_CONNECTED}$"):
        await printer.open_drawer()

    # plugged back in (udev gives it the same name): all is well again, without a restart
    device = PtyPrinter(link)
    try:
        assert await printer.status() == PrinterStatus(PrinterState.READY)
        receipt = a_receipt("POS-00002")
        await printer.print_receipt(receipt)
        out = decode(device.sent())
    finally:
        device.close()
    assert printer.last_status.ready
    assert len(out.images) == 4  # the whole logo this time, in bands of 960 rows
    assert [q.data for q in out.qr_codes] == [receipt.qr_data]
    assert out.cuts == [d.Cut(partial=False)]


async def test_a_later_job_clears_offline(link: Path) -> None:
    printer = EscposPrinter(f"serial:{link}")
    with pytest.raises(PrinterError, match=rf"^{NOT_CONNECTED}$"):
        await printer.print_receipt(a_receipt())
    assert printer.last_status.state is PrinterState.OFFLINE
    device = PtyPrinter(link)
    try:
        await printer.open_drawer()
        assert decode(device.sent()).pulses == [d.Pulse(2, 50, 50)]
    finally:
        device.close()
    assert printer.last_status.ready


@pytest.mark.timeout(30)  # a job that blocked the loop would hang here, not fail
async def test_jobs_take_turns_and_never_block_the_loop(link: Path, tmp_path: Path) -> None:
    # The printer gets busy a little way into the first receipt: the pty fills and the
    # till's writes wait on it, in their thread.
    device = PtyPrinter(link, pause_after=4096)
    printer = EscposPrinter(device.uri, logo=tall_logo(tmp_path / "logo.png"))
    try:
        one, two = a_receipt("POS-00001"), a_receipt("POS-00002")
        first = asyncio.create_task(printer.print_receipt(one))
        second = asyncio.create_task(printer.print_receipt(two))
        drawer = asyncio.create_task(printer.open_drawer())
        assert await asyncio.to_thread(device.paused.wait, 10)  # the loop is free meanwhile
        assert [t.done() for t in (first, second, drawer)] == [False, False, False]
        device.reading.set()
        await asyncio.wait_for(asyncio.gather(first, second, drawer), timeout=15)
        out = decode(device.sent())
    finally:
        device.close()
    # one whole receipt after the other, then the kick: nothing interleaved
    assert [q.data for q in out.qr_codes] == [one.qr_data, two.qr_data]
    assert [type(e).__name__ for e in out.events if isinstance(e, d.Cut | d.Pulse | d.Init)] == [
        "Init",
        "Cut",
        "Init",
        "Cut",
        "Pulse",
    ]


@pytest.mark.timeout(30)
async def test_a_cancelled_job_still_ends_before_the_next_begins(
    link: Path, tmp_path: Path
) -> None:
    device = PtyPrinter(link, pause_after=4096)
    printer = EscposPrinter(device.uri, logo=tall_logo(tmp_path / "logo.png"))
    try:
        one, two = a_receipt("POS-00001"), a_receipt("POS-00002")
        first = asyncio.create_task(printer.print_receipt(one))
        assert await asyncio.to_thread(device.paused.wait, 10)
        first.cancel()  # the cashier gave up waiting; the bytes are already on their way
        second = asyncio.create_task(printer.print_receipt(two))
        await asyncio.sleep(0)  # a turn of the loop: the cancel lands, the second job queues
        device.reading.set()
        with pytest.raises(asyncio.CancelledError):
            await first
        await asyncio.wait_for(second, timeout=15)
        out = decode(device.sent())
    finally:
        device.close()
    assert [q.data for q in out.qr_codes] == [one.qr_data, two.qr_data]
    assert len(out.images) == 8  # both logos whole
    assert len(out.cuts) == 2


async def test_a_network_printer_on_port_9100_style(caplog: pytest.LogCaptureFixture) -> None:
    server = TcpPrinter()
    try:
        printer = EscposPrinter(f"tcp:127.0.0.1:{server.port}?timeout=5", columns=32)
        assert await printer.status() == PrinterStatus(PrinterState.READY)
        receipt = a_receipt("POS-00077", width=32)
        await printer.print_receipt(receipt)
        out = decode(server.job(1))
    finally:
        server.close()
    assert out.texts[: len(receipt.lines)] == [line.text for line in receipt.lines]
    assert [q.data for q in out.qr_codes] == [receipt.qr_data]
    assert out.cuts == [d.Cut(partial=False)]

    # the printer switched off: nothing listens on its port any more
    with pytest.raises(PrinterError, match=rf"^{NOT_CONNECTED}$"):
        await printer.print_receipt(receipt)
    # the technician's detail (which printer, what the system said) is in the log
    assert f"tcp:127.0.0.1:{server.port}" in caplog.text
    assert printer.last_status.state is PrinterState.OFFLINE


async def test_a_file_printer(tmp_path: Path) -> None:
    lp0 = tmp_path / "lp0"
    printer = EscposPrinter(f"file:{lp0}", columns=32)
    assert await printer.status() == PrinterStatus(PrinterState.READY)  # it opens: ready
    await printer.print_receipt(a_receipt(width=32))
    assert decode(lp0.read_bytes()).cuts == [d.Cut(partial=False)]
    gone = EscposPrinter(f"file:{tmp_path}/no-such-dir/lp0")
    assert (await gone.status()).state is PrinterState.OFFLINE


async def test_a_usb_printer_that_is_not_there_is_a_printer_error() -> None:
    made: list[PrinterUri] = []

    def connect(uri: PrinterUri) -> object:
        made.append(uri)
        return open_printer(uri)

    printer = EscposPrinter("usb:04b8:0202", connect=connect)
    # With libusb (make installs it) the device is looked for and not found; without it the
    # error says what to install. Either way the cashier reads why, and the sale is not touched.
    expected = "not connected" if usb_backend() is not None else "needs pyusb and libusb"
    with pytest.raises(PrinterError, match=expected):
        await printer.print_receipt(a_receipt())
    assert printer.last_status.state is PrinterState.OFFLINE
    assert [str(uri) for uri in made] == ["usb:04b8:0202"]


async def test_a_receipt_wider_than_the_paper_is_refused(device: PtyPrinter) -> None:
    printer = EscposPrinter(device.uri, columns=32)
    with pytest.raises(ValueError, match="laid out for 48 columns"):
        await printer.print_receipt(a_receipt(width=48))
