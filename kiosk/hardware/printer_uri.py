"""Printer URIs (`usb:04b8:0202`, `file:/dev/usb/lp0`, `serial:/dev/ttyUSB0?baudrate=19200`,
`tcp:HOST:9100`): parsed, checked, printed back, and turned into a python-escpos connection."""

from __future__ import annotations

import math
import socket
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl

from escpos.escpos import Escpos  # type: ignore[import-untyped,unused-ignore]
from escpos.exceptions import DeviceNotFoundError  # type: ignore[import-untyped,unused-ignore]
from escpos.printer import File, Network, Serial, Usb  # type: ignore[import-untyped,unused-ignore]

from kiosk.hardware.base import PrinterError

TCP_PORT = 9100  # the raw printing port ("JetDirect") every network receipt printer listens on
TCP_TIMEOUT = 10.0  # seconds; python-escpos waits 60, longer than a cashier will
SERIAL_TIMEOUT = 1.0  # seconds to wait for a status answer (python-escpos's default)
PARITIES = ("N", "E", "O", "M", "S")  # pyserial's PARITY_* values
STOPBITS = (1.0, 1.5, 2.0)


class PrinterKind(StrEnum):
    USB = "usb"
    FILE = "file"
    SERIAL = "serial"
    TCP = "tcp"


_OPTIONS = {
    PrinterKind.USB: ("interface", "in_ep", "out_ep"),
    PrinterKind.FILE: (),
    PrinterKind.SERIAL: ("baudrate", "bytesize", "parity", "stopbits", "timeout"),
    PrinterKind.TCP: ("timeout",),
}


@dataclass(frozen=True, slots=True)
class PrinterUri:
    """Where a printer is. Only the fields of its `kind` mean anything; `str()` is canonical
    (options at their defaults left out, the TCP port always written)."""

    kind: PrinterKind
    path: str = ""  # file, serial
    host: str = ""  # tcp
    port: int = TCP_PORT  # tcp
    vendor_id: int = 0  # usb
    product_id: int = 0  # usb
    interface: int | None = None  # usb
    in_ep: int | None = None  # usb: without it the printer cannot be asked for its status
    out_ep: int | None = None  # usb
    baudrate: int = 9600  # serial, 8N1 unless said otherwise
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1.0
    timeout: float | None = None  # serial, tcp: seconds; None is the kind's default

    @property
    def can_report_status(self) -> bool:
        """Whether the connection carries the printer's answers back (DLE EOT status)."""
        if self.kind is PrinterKind.USB:
            return self.in_ep is not None
        return self.kind in (PrinterKind.SERIAL, PrinterKind.TCP)

    def __str__(self) -> str:
        if self.kind is PrinterKind.USB:
            head = f"usb:{self.vendor_id:04x}:{self.product_id:04x}"
            opts = [
                ("interface", None if self.interface is None else str(self.interface)),
                ("in_ep", None if self.in_ep is None else f"0x{self.in_ep:02x}"),
                ("out_ep", None if self.out_ep is None else f"0x{self.out_ep:02x}"),
            ]
        elif self.kind is PrinterKind.FILE:
            head, opts = f"file:{self.path}", []
        elif self.kind is PrinterKind.SERIAL:
            head = f"serial:{self.path}"
            opts = [
                ("baudrate", None if self.baudrate == 9600 else str(self.baudrate)),
                ("bytesize", None if self.bytesize == 8 else str(self.bytesize)),
                ("parity", None if self.parity == "N" else self.parity),
                ("stopbits", None if self.stopbits == 1 else f"{self.stopbits:g}"),
                ("timeout", None if self.timeout is None else f"{self.timeout:g}"),
            ]
        else:
            host = f"[{self.host}]" if ":" in self.host else self.host
            head = f"tcp:{host}:{self.port}"
            opts = [("timeout", None if self.timeout is None else f"{self.timeout:g}")]
        query = "&".join(f"{k}={v}" for k, v in opts if v is not None)
        return f"{head}?{query}" if query else head


def parse_printer_uri(text: str) -> PrinterUri:
    """The printer URI in `text`; ValueError naming the URI and what is wrong with it."""
    text = text.strip()
    kind_name, sep, rest = text.partition(":")
    try:
        kind = PrinterKind(kind_name.lower())
    except ValueError:
        raise _bad(text, "it must start with usb:, file:, serial: or tcp:") from None
    if not sep or not rest:
        raise _bad(text, f"nothing follows {kind}:")
    where, _, query = rest.partition("?")
    options = _options(text, kind, query)
    if kind is PrinterKind.USB:
        return _usb(text, where, options)
    if kind is PrinterKind.TCP:
        return _tcp(text, where, options)
    path = where[2:] if where.startswith("//") else where  # file:///dev/usb/lp0 too
    if not path.startswith("/"):
        raise _bad(text, f"the device path must be absolute (/dev/...), not {path!r}")
    if kind is PrinterKind.FILE:
        return PrinterUri(kind, path=path)
    return _serial(text, path, options)


def _bad(text: str, why: str) -> ValueError:
    return ValueError(f"{text}: {why}")


def _options(text: str, kind: PrinterKind, query: str) -> dict[str, str]:
    allowed = _OPTIONS[kind]
    options: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True, separator="&"):
        if key not in allowed:
            known = ", ".join(allowed) if allowed else "none"
            raise _bad(text, f"unknown option {key!r} for a {kind} printer (known: {known})")
        if key in options:
            raise _bad(text, f"{key} is given twice")
        options[key] = value.strip()
    return options


def _whole(text: str, name: str, value: str, low: int, high: int, base: int = 10) -> int:
    try:
        number = int(value, base)
    except ValueError:
        kind = "a hexadecimal number (04b8)" if base == 16 else "a whole number"
        raise _bad(text, f"{name} must be {kind}") from None
    if not low <= number <= high:
        raise _bad(text, f"{name} must be between {low} and {high}, not {number}")
    return number


def _seconds(text: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise _bad(text, "timeout must be a number of seconds") from None
    if not (math.isfinite(seconds) and seconds > 0):
        raise _bad(text, f"timeout must be more than 0 seconds, not {value}")
    return seconds


def _usb(text: str, where: str, options: dict[str, str]) -> PrinterUri:
    ids = where.split(":")
    if len(ids) != 2 or not all(ids):
        raise _bad(text, "a USB printer is usb:VID:PID, in hex (usb:04b8:0202)")
    vendor = _whole(text, "VID", ids[0], 1, 0xFFFF, 16)
    product = _whole(text, "PID", ids[1], 1, 0xFFFF, 16)
    if options.get("interface", "0") != "0":
        # python-escpos 3.1 always claims the device's interface 0.
        raise _bad(text, "interface must be 0: python-escpos drives the first interface only")
    ep: dict[str, int | None] = {}
    for name in ("interface", "in_ep", "out_ep"):
        value = options.get(name)
        ep[name] = None if value is None else _whole(text, name, value, 0, 0xFF, 0)
    return PrinterUri(
        PrinterKind.USB,
        vendor_id=vendor,
        product_id=product,
        interface=ep["interface"],
        in_ep=ep["in_ep"],
        out_ep=ep["out_ep"],
    )


def _tcp(text: str, where: str, options: dict[str, str]) -> PrinterUri:
    if where.startswith("//"):
        where = where[2:]
    if where.startswith("["):  # [IPv6]:port
        host, bracket, tail = where[1:].partition("]")
        if not bracket or (tail and not tail.startswith(":")):
            raise _bad(text, "an IPv6 address is written in brackets: tcp:[fe80::1]:9100")
        port_text = tail[1:]
    else:
        host, _, port_text = where.partition(":")
    if not host or any(c.isspace() or c in "/@" for c in host):
        raise _bad(text, f"{host!r} is not a host name or address")
    port = TCP_PORT if not port_text else _whole(text, "port", port_text, 1, 65535)
    timeout = _seconds(text, options["timeout"]) if "timeout" in options else None
    return PrinterUri(PrinterKind.TCP, host=host, port=port, timeout=timeout)


def _serial(text: str, path: str, options: dict[str, str]) -> PrinterUri:
    baudrate = _whole(text, "baudrate", options.get("baudrate", "9600"), 50, 4_000_000)
    bytesize = _whole(text, "bytesize", options.get("bytesize", "8"), 5, 8)
    parity = options.get("parity", "N").upper()
    if parity not in PARITIES and parity not in ("NONE", "EVEN", "ODD", "MARK", "SPACE"):
        raise _bad(text, f"parity must be one of {', '.join(PARITIES)} (none, even, odd...)")
    try:
        stopbits = float(options.get("stopbits", "1"))
    except ValueError:
        stopbits = math.nan
    if stopbits not in STOPBITS:
        raise _bad(text, "stopbits must be 1, 1.5 or 2")
    timeout = _seconds(text, options["timeout"]) if "timeout" in options else None
    return PrinterUri(
        PrinterKind.SERIAL,
        path=path,
        baudrate=baudrate,
        bytesize=bytesize,
        parity=parity[0],
        stopbits=stopbits,
        timeout=timeout,
    )


def usb_backend() -> object | None:
    """libusb as pyusb finds it, or None when the library is not on this machine."""
    try:
        import usb.backend.libusb1
    except ImportError:
        return None
    backend: object | None = usb.backend.libusb1.get_backend()
    return backend


def open_printer(uri: PrinterUri) -> Escpos:
    """The python-escpos connection for `uri`, not yet opened: the device need not be there
    until the first byte is sent (or `open()` is called)."""
    if uri.kind is PrinterKind.FILE:
        return File(devfile=uri.path)
    if uri.kind is PrinterKind.SERIAL:
        stopbits: Any = int(uri.stopbits) if uri.stopbits.is_integer() else uri.stopbits
        return Serial(
            devfile=uri.path,
            baudrate=uri.baudrate,
            bytesize=uri.bytesize,
            parity=uri.parity,
            stopbits=stopbits,
            timeout=SERIAL_TIMEOUT if uri.timeout is None else uri.timeout,
        )
    if uri.kind is PrinterKind.TCP:
        timeout = TCP_TIMEOUT if uri.timeout is None else uri.timeout
        return _Network(host=uri.host, port=uri.port, timeout=timeout)
    if not Usb.is_usable() or usb_backend() is None:
        # Checked here: a Usb object made without them raises again when garbage-collected.
        raise PrinterError(
            f"USB printing needs pyusb and libusb (Debian package libusb-1.0-0) ({uri}); "
            "a printer-class USB printer also works as file:/dev/usb/lp0"
        )
    return Usb(
        idVendor=uri.vendor_id,
        idProduct=uri.product_id,
        in_ep=0x82 if uri.in_ep is None else uri.in_ep,
        out_ep=0x01 if uri.out_ep is None else uri.out_ep,
    )


class _Network(Network):  # type: ignore[misc,unused-ignore]
    """python-escpos's Network printer, connecting with socket.create_connection: 3.1's own
    open() drops the socket unclosed when the printer refuses, and knows IPv4 only."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        self.device: socket.socket | None = None
        try:
            self.device = socket.create_connection((self.host, self.port), self.timeout)
        except OSError as exc:
            if raise_not_found:
                raise DeviceNotFoundError(f"Could not open socket for {self.host}:\n{exc}") from exc
