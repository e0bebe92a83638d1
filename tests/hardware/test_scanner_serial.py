"""A serial scanner read through pyserial, on the device end of a pty pair."""

from __future__ import annotations

import asyncio
import os
import tty
from collections.abc import Iterator

import pytest

from kiosk.hardware.scanner_serial import LineAssembler, SerialScanner
from tests.hardware.scanner_events import FakeTimer, stoppable

EAN13 = "4006381333931"


class Pty:
    """A pty pair: the scanner reads `path`; the test writes as the scanner would, at `master`."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no echo, no line editing: the bytes as sent
        self.path = os.ttyname(self.slave)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def opens(self) -> int:
        """How many file descriptors of this process have the device end open (the test's own
        one included)."""
        fds = os.listdir("/proc/self/fd")
        return sum(1 for fd in fds if _link(f"/proc/self/fd/{fd}") == self.path)

    def unplug(self) -> None:
        os.close(self.master)
        self.master = -1

    def close(self) -> None:
        for fd in (self.master, self.slave):
            if fd >= 0:
                os.close(fd)


def _link(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:  # the descriptor listdir used, gone already
        return ""


@pytest.fixture
def pty() -> Iterator[Pty]:
    pair = Pty()
    yield pair
    pair.close()


async def test_codes_end_at_cr_lf_and_come_in_any_chunks(pty: Pty) -> None:
    scanner = SerialScanner(pty.path, baudrate=115200)
    await scanner.open()  # opening the port discards what was sent before
    assert pty.opens() == 2
    pty.send(f"{EAN13}\r\n".encode())
    codes = stoppable(scanner.codes())
    assert await anext(codes) == EAN13
    pty.send(b"ABC-1")
    pty.send(b"23\r")  # a scanner set to CR alone reads too
    assert await anext(codes) == "ABC-123"
    pty.send(b"\n\r\n]C1010123456789012815\x1d3103000150\n")  # lone ends; GS1 with its separator
    assert await anext(codes) == "]C1010123456789012815\x1d3103000150"
    await codes.aclose()
    assert pty.opens() == 1  # the scanner closed its port


async def test_garbage_and_over_long_lines_are_dropped(pty: Pty) -> None:
    scanner = SerialScanner(pty.path)
    await scanner.open()
    pty.send(b"12\x0734\r\n" + b"9" * 65 + b"\r\n" + b"8" * 70 + b"\r\n" + b"777\r\n")
    codes = stoppable(scanner.codes())
    assert await anext(codes) == "777"
    await codes.aclose()


async def test_unplugged_mid_code_raises_and_drops_the_partial_code(pty: Pty) -> None:
    scanner = SerialScanner(pty.path)
    await scanner.open()
    pty.send(b"111\r\n222")
    got: list[str] = []

    async def read() -> None:
        async for code in scanner.codes():
            got.append(code)
            pty.unplug()

    with pytest.raises(OSError, match=r"Input/output error|read failed|no data"):
        await read()
    assert got == ["111"]


async def test_a_port_that_is_not_there_is_an_oserror() -> None:
    with pytest.raises(OSError, match="/dev/nonexistent-scanner"):
        await anext(SerialScanner("/dev/nonexistent-scanner").codes())


async def test_no_terminator_a_code_ends_at_the_pause(pty: Pty) -> None:
    timer = FakeTimer()
    scanner = SerialScanner(pty.path, terminator="", gap_s=0.1, sleep=timer.sleep)
    out: asyncio.Queue[str] = asyncio.Queue()

    async def consume() -> None:
        async for code in scanner.codes():
            out.put_nowait(code)

    await scanner.open()
    reader = asyncio.create_task(consume())
    pty.send(EAN13.encode())
    await timer.fire()
    assert await out.get() == EAN13
    assert timer.delays == [0.1]
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader


@pytest.mark.parametrize(
    ("terminator", "data", "codes"),
    [
        ("\r\n", [b"12\r", b"\n34\r\n"], ["12", "34"]),
        ("\n", [b"12\r\n\n34", b"\n"], ["12", "34"]),
        ("\t", [b"12\t3", b"4\t\t"], ["12", "34"]),
        ("\x03", [b"AB\r\x03CD\x03"], ["CD"]),  # CR is garbage when it is not the end
    ],
)
def test_line_assembler_terminators(terminator: str, data: list[bytes], codes: list[str]) -> None:
    assembler = LineAssembler(terminator)
    assert [code for chunk in data for code in assembler.feed(chunk)] == codes
    assert not assembler.partial
