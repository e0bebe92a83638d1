"""A serial (or USB CDC-ACM, "virtual COM port") barcode scanner read through pyserial.

The port is read without blocking: the event loop watches its file descriptor and pyserial
reads what is waiting (timeout=0). Such a scanner sends the code's text then its suffix
(usually CR, LF or CR LF); with no suffix a code ends at a pause.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import serial

from kiosk.hardware.keymap import MAX_CODE, code_char

Sleep = Callable[[float], Awaitable[None]]
_LINE_ENDS = frozenset("\r\n")


class LineAssembler:
    """Whole codes from a serial scanner's bytes.

    A terminator made of CR and LF ends a code at any CR or LF (so "\\r\\n" also reads a scanner
    set to send CR alone); any other terminator must come exactly. An empty terminator ends a
    code only at `flush` (the pause after it). Text with a non-printable character, or more
    than MAX_CODE characters, is dropped up to its end; empty lines are nothing.
    """

    def __init__(self, terminator: str = "\r\n") -> None:
        self._lines = bool(terminator) and set(terminator) <= _LINE_ENDS
        self._terminator = "\n" if self._lines else terminator
        self._text = ""
        self._spoilt = False

    @property
    def partial(self) -> bool:
        return bool(self._text) or self._spoilt

    def feed(self, data: bytes) -> list[str]:
        """Take bytes as read; return the codes they complete."""
        # latin-1 maps each byte to one character: nothing fails to decode, codes are ASCII
        text = data.decode("latin-1")
        if self._lines:
            text = text.replace("\r", "\n")
        whole: list[str] = []
        if self._terminator:
            *whole, self._text = (self._text + text).split(self._terminator)
        else:
            self._text += text
        codes = [code for piece in whole if (code := self._end(piece))]
        if len(self._text) > MAX_CODE:  # a port that never sends the end does not fill memory
            self._text, self._spoilt = "", True
        return codes

    def flush(self) -> str | None:
        """End the code being read; return it if it is one."""
        text, self._text = self._text, ""
        return self._end(text)

    def _end(self, text: str) -> str | None:
        spoilt, self._spoilt = self._spoilt, False
        if spoilt or not text or len(text) > MAX_CODE or not all(map(code_char, text)):
            return None
        return text


class SerialScanner:
    """One serial scanner: `codes()` opens the port, yields whole codes, closes it when it ends.

    `codes()` ends by raising OSError (pyserial's SerialException is one) when the port goes:
    a CDC-ACM scanner unplugged; the code being read then is dropped.
    """

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 9600,
        terminator: str = "\r\n",
        name: str | None = None,
        gap_s: float = 0.05,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.port = port
        self.name = name or port
        self._baudrate = baudrate
        self._assembler = LineAssembler(terminator)
        self._gap_s = gap_s if not terminator else None
        self._sleep = sleep
        self._serial: Any = None
        self._closed = False

    async def open(self) -> None:
        """Open the port (`codes()` does if this was not called). Opening discards what waits."""
        if self._closed or self._serial is not None:
            raise RuntimeError(f"The scanner {self.name} was already opened: make a new one")
        self._serial = await asyncio.to_thread(serial.Serial, self.port, self._baudrate, timeout=0)

    async def codes(self) -> AsyncIterator[str]:
        """Whole codes as they are scanned; raises OSError when the port goes."""
        if self._serial is None:
            await self.open()
        port = self._serial
        try:
            while True:
                pause = self._gap_s if self._assembler.partial else None
                if not await self._readable(port.fileno(), pause):
                    if code := self._assembler.flush():
                        yield code
                    continue
                # timeout=0: read returns what is waiting, and raises if the port went away
                data: bytes = port.read(max(port.in_waiting, 1))
                for code in self._assembler.feed(data):
                    yield code
        finally:
            self.close()

    async def _readable(self, fd: int, pause: float | None) -> bool:
        """Wait until the port has bytes (True) or, if `pause` is set, it passes first (False)."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        timer: asyncio.Future[None] | None = None
        try:
            if pause is None:
                await ready
                return True
            timer = asyncio.ensure_future(self._sleep(pause))
            await asyncio.wait((ready, timer), return_when=asyncio.FIRST_COMPLETED)
            return ready.done()
        finally:
            loop.remove_reader(fd)
            ready.cancel()
            if timer is not None:
                timer.cancel()

    def close(self) -> None:
        """Close the port; a port already gone is not an error."""
        self._closed = True
        if self._serial is not None:
            with contextlib.suppress(OSError):
                self._serial.close()
