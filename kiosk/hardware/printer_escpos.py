"""The counter's ESC/POS receipt printer and the cash drawer on its kick port (python-escpos).

Each job (a receipt, a drawer kick, a status check) opens the printer, does its work and closes
it again, in a worker thread, one job at a time: a printer unplugged and plugged back between
two sales just works, and a network printer is free for others between jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import termios
from collections.abc import Callable
from pathlib import Path

from escpos.constants import (  # type: ignore[import-untyped,unused-ignore]
    RT_MASK_LOWPAPER,
    RT_MASK_NOPAPER,
    RT_MASK_ONLINE,
    RT_STATUS,
    RT_STATUS_ONLINE,
    RT_STATUS_PAPER,
)
from escpos.escpos import Escpos  # type: ignore[import-untyped,unused-ignore]
from escpos.exceptions import Error as EscposError  # type: ignore[import-untyped,unused-ignore]
from escpos.printer import Serial  # type: ignore[import-untyped,unused-ignore]

from kiosk.core.receipt import MIN_WIDTH, Receipt
from kiosk.hardware.base import PrinterError, PrinterState, PrinterStatus
from kiosk.hardware.escpos_receipt import DEFAULT_CODEPAGE, write_receipt
from kiosk.hardware.printer_uri import PrinterUri, open_printer, parse_printer_uri

log = logging.getLogger(__name__)

DRAWER_PINS = (2, 5)
PULSE_MS = (2, 510)  # ESC p counts the pulse in 2 ms units, one byte: 1..255
MAX_COLUMNS = 64
RT_STATUS_OFFLINE_CAUSE = RT_STATUS + b"\x02"  # DLE EOT 2; python-escpos has no name for it
COVER_OPEN_BIT = 0x04  # in the DLE EOT 2 answer
PAPER_END_STOP_BIT = 0x20
ERROR_BIT = 0x40
# What a broken printer connection raises: pyserial's SerialException, pyusb's USBError and
# socket errors are all OSErrors; pyserial's flush raises termios.error on a vanished port.
FAULTS = (OSError, EscposError, termios.error)


class _Fault(PrinterError):
    """A PrinterError that says the state the printer was found in."""

    def __init__(self, status: PrinterStatus) -> None:
        super().__init__(status.message)
        self.status = status


class EscposPrinter:
    """A ReceiptPrinter on an ESC/POS printer named by a printer URI.

    Contract: `print_receipt` and `open_drawer` raise PrinterError (its message
    for the cashier) when the printer fails or reports paper out or cover open; the printer is
    then OFFLINE (or that state) in `last_status` until a later job or `status()` succeeds.
    `status()` asks the printer when the connection carries answers back (serial, tcp, usb with
    in_ep), else it reports whether the device can be opened.
    """

    def __init__(
        self,
        uri: PrinterUri | str,
        *,
        columns: int = 48,
        drawer_pin: int = 2,
        pulse_ms: int = 100,
        logo: Path | None = None,
        connect: Callable[[PrinterUri], Escpos] = open_printer,
        codepage: str = DEFAULT_CODEPAGE,
    ) -> None:
        self.uri = parse_printer_uri(uri) if isinstance(uri, str) else uri
        if not MIN_WIDTH <= columns <= MAX_COLUMNS:
            raise ValueError(
                f"columns must be {MIN_WIDTH}..{MAX_COLUMNS} (48 on 80 mm paper, 32 "
                f"on 58 mm), not {columns}"
            )
        if drawer_pin not in DRAWER_PINS:
            raise ValueError(
                f"drawer_pin must be 2 or 5 (the kick connector's pins), not {drawer_pin}"
            )
        if not PULSE_MS[0] <= pulse_ms <= PULSE_MS[1]:
            raise ValueError(
                f"drawer_pulse_ms must be {PULSE_MS[0]}..{PULSE_MS[1]} ms, not {pulse_ms}"
            )
        if logo is not None and not Path(logo).is_file():
            raise ValueError(f"logo: no image file at {logo}")
        self.columns = columns
        self.drawer_pin = drawer_pin
        self.pulse_ms = pulse_ms
        self.logo = Path(logo) if logo is not None else None
        self.codepage = codepage.upper()
        self._connect = connect
        self._lock = asyncio.Lock()
        self._last = PrinterStatus(PrinterState.READY)

    @property
    def last_status(self) -> PrinterStatus:
        """What the last job or check found, without asking the printer."""
        return self._last

    async def status(self) -> PrinterStatus:
        try:
            return await self._run("", self._check)
        except _Fault as fault:
            return fault.status

    async def print_receipt(self, receipt: Receipt) -> None:
        if receipt.width > self.columns:
            raise ValueError(
                f"receipt {receipt.reference} is laid out for {receipt.width} columns, "
                f"but the printer ({self.uri}) has {self.columns}"
            )
        await self._run("The receipt did not print", lambda p: self._print(p, receipt))
        log.info("receipt %s printed on %s", receipt.reference, self.uri)

    async def open_drawer(self) -> None:
        await self._run("The cash drawer did not open", self._kick)
        log.info("drawer kicked on %s (pin %d, %d ms)", self.uri, self.drawer_pin, self.pulse_ms)

    # -- jobs, in a worker thread -----------------------------------------------------------

    async def _run(self, failed: str, work: Callable[[Escpos], PrinterStatus]) -> PrinterStatus:
        """`work` on an opened connection, one job at a time; its status (or the fault) is the
        printer's from then on."""
        async with self._lock:
            job = asyncio.ensure_future(asyncio.to_thread(self._session, failed, work))
            try:
                status = await asyncio.shield(job)
            except asyncio.CancelledError:
                # A thread cannot be stopped: hold the lock until it ends, so that the next
                # job's bytes never mix with this one's.
                with contextlib.suppress(Exception):
                    await job
                raise
            except _Fault as fault:
                self._last = fault.status
                log.warning("%s", fault)
                raise
            self._last = status
            return status

    def _session(self, failed: str, work: Callable[[Escpos], PrinterStatus]) -> PrinterStatus:
        conn: Escpos | None = None
        try:
            conn = self._connect(self.uri)
            conn.open()
        except PrinterError as exc:  # no connection can be made at all (pyusb missing)
            raise _Fault(PrinterStatus(PrinterState.OFFLINE, str(exc))) from exc
        except FAULTS as exc:
            _discard(conn)
            raise self._offline(failed, "is not connected", exc) from exc
        try:
            status = work(conn)
            conn.close()  # a serial port drains here: a failure still means a lost job
        except FAULTS as exc:
            _discard(conn)
            raise self._offline(failed, "stopped answering", exc) from exc
        except BaseException:
            _discard(conn)
            raise
        return status

    def _offline(self, failed: str, problem: str, exc: BaseException) -> _Fault:
        """The fault a cashier reads (why, and what to do); the printer's address and the
        system's own words go to the log, for a technician."""
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        cause = lines[-1] if lines else type(exc).__name__
        log.warning("%s: %s %s (%s)", failed or "printer", self.uri, problem, cause)
        message = f"The printer {problem}: check its cable and power"
        return _Fault(PrinterStatus(PrinterState.OFFLINE, message))

    def _check(self, p: Escpos) -> PrinterStatus:
        found = _read_status(p) if self.uri.can_report_status else PrinterStatus(PrinterState.READY)
        if found is None:
            return PrinterStatus(
                PrinterState.OFFLINE,
                "The printer does not answer: check it is switched on",
            )
        return found

    def _print(self, p: Escpos, receipt: Receipt) -> PrinterStatus:
        found = _read_status(p) if self.uri.can_report_status else None
        # A printer that does not answer may still print (a cable without its return line).
        if found is not None and not found.ready:
            raise _Fault(found)
        write_receipt(p, receipt, width=self.columns, logo=self.logo, codepage=self.codepage)
        return found or PrinterStatus(PrinterState.READY)

    def _kick(self, p: Escpos) -> PrinterStatus:
        # ESC p m t1 t2: connector m (0 = pin 2, 1 = pin 5), on t1 x 2 ms, off at least as long.
        t1 = self.pulse_ms // 2
        p.cashdraw([27, 112, 0 if self.drawer_pin == 2 else 1, t1, t1])
        return PrinterStatus(PrinterState.READY)


def _read_status(p: Escpos) -> PrinterStatus | None:
    """What the printer says of itself (DLE EOT 1, 2, 4), or None when it does not answer."""
    online = _ask(p, RT_STATUS_ONLINE)
    if online is None:
        return None
    if online & RT_MASK_ONLINE:
        cause = _ask(p, RT_STATUS_OFFLINE_CAUSE) or 0
        if cause & COVER_OPEN_BIT:
            return PrinterStatus(PrinterState.COVER_OPEN)
        if cause & PAPER_END_STOP_BIT:
            return PrinterStatus(PrinterState.PAPER_OUT)
        if cause & ERROR_BIT:
            return PrinterStatus(
                PrinterState.OFFLINE,
                "The printer reports an error: switch it off and on, and check the cutter",
            )
        return PrinterStatus(PrinterState.OFFLINE, "The printer is offline: check its panel")
    paper = _ask(p, RT_STATUS_PAPER)
    if paper is not None and paper & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
        return PrinterStatus(PrinterState.PAPER_OUT)
    if paper is not None and paper & RT_MASK_LOWPAPER == RT_MASK_LOWPAPER:
        return PrinterStatus(PrinterState.READY, "Paper is running low")
    return PrinterStatus(PrinterState.READY)


def _ask(p: Escpos, request: bytes) -> int | None:
    """One real-time status byte, or None when nothing came back in time."""
    if isinstance(p, Serial):
        # python-escpos reads 16 bytes, waiting out the whole timeout for this 1-byte answer.
        port = p.device
        port.reset_input_buffer()  # a late answer to an earlier question is not this one
        port.write(request)
        answer = bytes(port.read(1))
    else:
        answer = bytes(p.query_status(request))
    return answer[-1] if answer else None


def _discard(conn: Escpos | None) -> None:
    """Close a broken connection without raising. python-escpos's close flushes first, which
    fails on a vanished port and leaves it open (to fail again when garbage-collected)."""
    if conn is None:
        return
    try:
        conn.close()
        return
    except Exception as exc:  # the job's own error is the one to report
        log.debug("closing the printer connection failed: %s", exc)
    device = conn._device  # the pyserial port, socket or file python-escpos holds
    close = getattr(device, "close", None)
    if callable(close):
        try:
            close()
        except Exception as exc:
            log.debug("closing the printer device failed: %s", exc)
    conn.device = False  # python-escpos's "not open": its __del__ leaves it alone
