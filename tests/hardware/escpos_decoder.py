"""An ESC/POS decoder for the printer tests: the bytes a printer was sent, back as what it would
print (lines with their style, QR codes, images), cut, kick and select.

It knows the commands our receipts use and nothing else: any other byte sequence raises
DecodeError, so a test can never pass on bytes it did not understand. Code pages are mapped
from Epson's ESC t table here, not from python-escpos, so the two are checked against each
other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A
T = TypeVar("T")

# Epson's ESC t n numbers (TM series "Character code table"), for the tables Python can decode.
CODE_PAGES = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    13: "cp857",
    14: "cp737",
    15: "iso8859_7",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
    34: "cp855",
    35: "cp861",
    36: "cp862",
    38: "cp869",
    39: "iso8859_2",
    40: "iso8859_15",
    44: "cp1125",
    45: "cp1250",
    46: "cp1251",
    47: "cp1253",
    48: "cp1254",
    49: "cp1255",
    50: "cp1256",
    51: "cp1257",
    52: "cp1258",
}


class DecodeError(ValueError):
    """The bytes hold something this decoder does not understand (or is cut short)."""


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line; the style is the one its first character was printed in."""

    text: str
    bold: bool = False
    width: int = 1  # character width and height multipliers
    height: int = 1
    align: str = "left"

    @property
    def large(self) -> bool:
        return self.width == 2 and self.height == 2

    @property
    def columns(self) -> int:
        """The columns it takes on paper."""
        return len(self.text) * self.width


@dataclass(frozen=True, slots=True)
class QrCode:
    data: str
    size: int  # module size in dots
    ec: str  # L, M, Q or H
    align: str


@dataclass(frozen=True, slots=True)
class Raster:
    """A GS v 0 image: `rows` of `width_bytes` bytes, a set bit is a black dot."""

    width_bytes: int
    height: int
    rows: bytes
    align: str

    @property
    def width(self) -> int:
        return self.width_bytes * 8

    def inked_columns(self) -> tuple[int, int] | None:
        """The first and last dot columns with any black, or None for a blank image."""
        columns = [
            x
            for x in range(self.width)
            if any(
                self.rows[y * self.width_bytes + x // 8] & (0x80 >> (x % 8))
                for y in range(self.height)
            )
        ]
        return (columns[0], columns[-1]) if columns else None


@dataclass(frozen=True, slots=True)
class Cut:
    partial: bool


@dataclass(frozen=True, slots=True)
class Pulse:
    """ESC p: a drawer kick on connector pin 2 or 5, on for t1 x 2 ms, off for t2 x 2 ms."""

    pin: int
    t1: int
    t2: int

    @property
    def on_ms(self) -> int:
        return self.t1 * 2


@dataclass(frozen=True, slots=True)
class CodePage:
    number: int
    codec: str


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """DLE EOT n: 1 printer, 2 offline cause, 3 error cause, 4 paper sensor."""

    n: int


@dataclass(frozen=True, slots=True)
class Init:
    pass


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int


Event = Line | QrCode | Raster | Cut | Pulse | CodePage | StatusRequest | Init | Feed


@dataclass
class Decoded:
    events: list[Event] = field(default_factory=list)

    def _of(self, kind: type[T]) -> list[T]:
        return [e for e in self.events if isinstance(e, kind)]

    @property
    def lines(self) -> list[Line]:
        return self._of(Line)

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    @property
    def qr_codes(self) -> list[QrCode]:
        return self._of(QrCode)

    @property
    def images(self) -> list[Raster]:
        return self._of(Raster)

    @property
    def cuts(self) -> list[Cut]:
        return self._of(Cut)

    @property
    def pulses(self) -> list[Pulse]:
        return self._of(Pulse)

    @property
    def code_pages(self) -> list[CodePage]:
        return self._of(CodePage)

    @property
    def status_requests(self) -> list[StatusRequest]:
        return self._of(StatusRequest)


_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}


class _Decoder:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.out = Decoded()
        self.chars: list[str] = []
        self.line_style: tuple[bool, int, int, str] | None = None
        self.qr_data = b""
        self.qr_size = 3
        self.qr_ec = "L"
        self.reset()

    def reset(self) -> None:
        """ESC @ (and power on): plain text, left, code page 0."""
        self.bold = False
        self.width = self.height = 1
        self.align = "left"
        self.codepage = 0

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise DecodeError(f"the bytes end inside {what} at offset {self.pos}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def byte(self, what: str) -> int:
        return self.take(1, what)[0]

    def style(self) -> tuple[bool, int, int, str]:
        return (self.bold, self.width, self.height, self.align)

    def between_lines(self, what: str) -> None:
        """Images, codes and cuts start on a fresh line (ours always do)."""
        if self.chars:
            raise DecodeError(f"{what} inside a line at offset {self.pos}: {''.join(self.chars)!r}")

    def printable(self, b: int) -> None:
        if self.line_style is None:
            self.line_style = self.style()
        elif self.line_style != self.style():
            raise DecodeError(f"the text style changes inside a line at offset {self.pos}")
        self.chars.append(bytes([b]).decode(CODE_PAGES[self.codepage]))

    def end_line(self) -> None:
        bold, width, height, align = self.line_style or self.style()
        self.out.events.append(Line("".join(self.chars), bold, width, height, align))
        self.chars.clear()
        self.line_style = None

    def run(self) -> Decoded:
        while self.pos < len(self.data):
            b = self.byte("text")
            if b == LF:
                self.end_line()
            elif b == ESC:
                self.esc()
            elif b == GS:
                self.gs()
            elif b == DLE:
                self.dle()
            elif b < 0x20 or b == 0x7F:
                raise DecodeError(f"unknown control byte 0x{b:02x} at offset {self.pos - 1}")
            else:
                self.printable(b)
        if self.chars:
            raise DecodeError(f"the bytes end inside a line: {''.join(self.chars)!r}")
        return self.out

    def esc(self) -> None:
        at = self.pos - 1
        c = self.byte("ESC")
        if c == ord("@"):
            self.between_lines("ESC @")
            self.reset()
            self.out.events.append(Init())
        elif c == ord("!"):
            n = self.byte("ESC !")
            if n & ~0x38:
                raise DecodeError(f"ESC ! 0x{n:02x} (font B or underline) at offset {at}")
            self.bold = bool(n & 0x08)
            self.height = 2 if n & 0x10 else 1
            self.width = 2 if n & 0x20 else 1
        elif c == ord("E"):
            self.bold = bool(self.byte("ESC E") & 1)
        elif c == ord("a"):
            n = self.byte("ESC a")
            if n not in _ALIGN:
                raise DecodeError(f"ESC a {n} at offset {at}")
            self.align = _ALIGN[n]
        elif c == ord("t"):
            n = self.byte("ESC t")
            if n not in CODE_PAGES:
                raise DecodeError(f"ESC t {n}: a code page this decoder does not know")
            self.codepage = n
            self.out.events.append(CodePage(n, CODE_PAGES[n]))
        elif c == ord("d"):
            n = self.byte("ESC d")
            if self.chars:
                self.end_line()
                n -= 1
            self.out.events.append(Feed(n))
        elif c == ord("p"):
            m, t1, t2 = self.take(3, "ESC p")
            if m not in (0, 1, 48, 49):
                raise DecodeError(f"ESC p with connector {m} at offset {at}")
            self.out.events.append(Pulse(2 if m in (0, 48) else 5, t1, t2))
        else:
            raise DecodeError(f"unknown command ESC 0x{c:02x} at offset {at}")

    def gs(self) -> None:
        at = self.pos - 1
        c = self.byte("GS")
        if c == ord("!"):
            n = self.byte("GS !")
            self.width, self.height = (n >> 4) + 1, (n & 0x0F) + 1
        elif c == ord("V"):
            self.between_lines("GS V")
            m = self.byte("GS V")
            if m in (65, 66):
                self.byte("GS V feed")
            elif m not in (0, 1, 48, 49):
                raise DecodeError(f"GS V {m} at offset {at}")
            self.out.events.append(Cut(partial=m in (1, 49, 66)))
        elif c == ord("v"):
            self.between_lines("GS v 0")
            if self.byte("GS v") != ord("0"):
                raise DecodeError(f"GS v other than GS v 0 at offset {at}")
            self.byte("GS v 0 density")
            xl, xh, yl, yh = self.take(4, "GS v 0 size")
            width_bytes, height = xl + 256 * xh, yl + 256 * yh
            rows = self.take(width_bytes * height, "GS v 0 image data")
            self.out.events.append(Raster(width_bytes, height, rows, self.align))
        elif c == ord("("):
            if self.byte("GS (") != ord("k"):
                raise DecodeError(f"GS ( other than GS ( k at offset {at}")
            pl, ph = self.take(2, "GS ( k length")
            self.two_d_code(self.take(pl + 256 * ph, "GS ( k parameters"), at)
        else:
            raise DecodeError(f"unknown command GS 0x{c:02x} at offset {at}")

    def two_d_code(self, body: bytes, at: int) -> None:
        if len(body) < 2 or body[0] != ord("1"):
            raise DecodeError(f"GS ( k for a symbol other than QR at offset {at}: {body!r}")
        fn, args = body[1], body[2:]
        if fn == 65:  # model
            if args[:1] not in (b"1", b"2", b"3"):
                raise DecodeError(f"QR model {args!r} at offset {at}")
        elif fn == 67:
            self.qr_size = args[0]
        elif fn == 69:
            self.qr_ec = _EC[args[0]]
        elif fn == 80:  # store the data: m = '0', then the bytes
            if args[:1] != b"0":
                raise DecodeError(f"QR store with m={args[:1]!r} at offset {at}")
            self.qr_data = args[1:]
        elif fn == 81:  # print what was stored
            self.between_lines("a QR code")
            code = QrCode(self.qr_data.decode("utf-8"), self.qr_size, self.qr_ec, self.align)
            self.out.events.append(code)
        else:
            raise DecodeError(f"GS ( k QR function {fn} at offset {at}")

    def dle(self) -> None:
        at = self.pos - 1
        c = self.byte("DLE")
        if c != 0x04:
            raise DecodeError(f"unknown command DLE 0x{c:02x} at offset {at}")
        n = self.byte("DLE EOT")
        if n not in (1, 2, 3, 4):
            raise DecodeError(f"DLE EOT {n} at offset {at}")
        self.out.events.append(StatusRequest(n))


def decode(data: bytes) -> Decoded:
    """What `data` would print; DecodeError for anything not understood or cut short."""
    return _Decoder(bytes(data)).run()
