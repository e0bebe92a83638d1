"""Printer URIs: parsed, printed back the same, refused with a reason, made into connections."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from escpos.printer import File, Network, Serial, Usb  # type: ignore[import-untyped,unused-ignore]
from hypothesis import given
from hypothesis import strategies as st

from kiosk.hardware.base import PrinterError
from kiosk.hardware.printer_uri import PrinterKind, PrinterUri, open_printer, parse_printer_uri


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("usb:04b8:0202", PrinterUri(PrinterKind.USB, vendor_id=0x04B8, product_id=0x0202)),
        (
            "usb:04b8:0202?interface=0&in_ep=0x82&out_ep=0x01",
            PrinterUri(
                PrinterKind.USB,
                vendor_id=0x04B8,
                product_id=0x0202,
                interface=0,
                in_ep=0x82,
                out_ep=0x01,
            ),
        ),
        ("file:/dev/usb/lp0", PrinterUri(PrinterKind.FILE, path="/dev/usb/lp0")),
        ("serial:/dev/ttyUSB0", PrinterUri(PrinterKind.SERIAL, path="/dev/ttyUSB0")),
        (
            "serial:/dev/ttyUSB0?baudrate=19200",
            PrinterUri(PrinterKind.SERIAL, path="/dev/ttyUSB0", baudrate=19200),
        ),
        (
            "serial:/dev/kiosk-printer?baudrate=38400&bytesize=7&parity=E&stopbits=2&timeout=0.5",
            PrinterUri(
                PrinterKind.SERIAL,
                path="/dev/kiosk-printer",
                baudrate=38400,
                bytesize=7,
                parity="E",
                stopbits=2,
                timeout=0.5,
            ),
        ),
        ("tcp:192.168.1.50:9100", PrinterUri(PrinterKind.TCP, host="192.168.1.50", port=9100)),
        (
            "tcp:printer.lan:9101?timeout=3",
            PrinterUri(PrinterKind.TCP, host="printer.lan", port=9101, timeout=3),
        ),
    ],
)
def test_canonical_uris_parse_and_print_back_the_same(text: str, expected: PrinterUri) -> None:
    uri = parse_printer_uri(text)
    assert uri == expected
    assert str(uri) == text


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("tcp:192.168.1.50", "tcp:192.168.1.50:9100"),  # the port is always written
        ("  USB:04B8:0E15  ", "usb:04b8:0e15"),
        ("usb:04b8:0202?in_ep=130", "usb:04b8:0202?in_ep=0x82"),
        (
            "serial:/dev/ttyS0?parity=odd&baudrate=9600&stopbits=1.5",
            "serial:/dev/ttyS0?parity=O&stopbits=1.5",
        ),
        ("file:///dev/usb/lp0", "file:/dev/usb/lp0"),
        ("tcp:[fd00::7]", "tcp:[fd00::7]:9100"),
    ],
)
def test_other_spellings_come_back_canonical(text: str, canonical: str) -> None:
    assert str(parse_printer_uri(text)) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "serial:/dev/ttyUSB0?baudrate=fast",
            "serial:/dev/ttyUSB0?baudrate=fast: baudrate must be a whole number",
        ),
        ("lp:/dev/usb/lp0", "lp:/dev/usb/lp0: it must start with usb:, file:, serial: or tcp:"),
        ("/dev/usb/lp0", "it must start with usb:"),
        ("", "it must start with usb:"),
        ("tcp:", "tcp:: nothing follows tcp:"),
        ("usb:04b8", "a USB printer is usb:VID:PID, in hex (usb:04b8:0202)"),
        ("usb:epson:0202", "usb:epson:0202: VID must be a hexadecimal number (04b8)"),
        ("usb:04b8:0202?in_ep=x", "in_ep must be a whole number"),
        ("usb:04b8:0202?interface=1", "interface must be 0"),
        (
            "usb:04b8:0202?baudrate=9600",
            "unknown option 'baudrate' for a usb printer (known: interface, in_ep, out_ep)",
        ),
        ("file:dev/usb/lp0", "the device path must be absolute (/dev/...), not 'dev/usb/lp0'"),
        (
            "file:/dev/usb/lp0?baudrate=9600",
            "unknown option 'baudrate' for a file printer (known: none)",
        ),
        ("serial:/dev/ttyUSB0?baudrate=0", "baudrate must be between 50 and 4000000, not 0"),
        ("serial:/dev/ttyUSB0?bytesize=9", "bytesize must be between 5 and 8, not 9"),
        ("serial:/dev/ttyUSB0?parity=X", "parity must be one of N, E, O, M, S"),
        ("serial:/dev/ttyUSB0?stopbits=3", "stopbits must be 1, 1.5 or 2"),
        ("serial:/dev/ttyUSB0?timeout=-1", "timeout must be more than 0 seconds, not -1"),
        ("serial:/dev/ttyUSB0?timeout=soon", "timeout must be a number of seconds"),
        ("serial:/dev/ttyUSB0?baudrate=9600&baudrate=19200", "baudrate is given twice"),
        ("tcp:printer:port", "port must be a whole number"),
        ("tcp:printer:70000", "port must be between 1 and 65535, not 70000"),
        ("tcp:[fe80::1:9100", "an IPv6 address is written in brackets"),
        ("tcp:my printer:9100", "'my printer' is not a host name or address"),
    ],
)
def test_bad_uris_say_which_and_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(text.strip())) as error:
        parse_printer_uri(text)
    assert message in str(error.value)


@given(
    path=st.from_regex(r"/dev/[a-zA-Z0-9_-]{1,12}", fullmatch=True),
    baudrate=st.sampled_from([1200, 9600, 19200, 38400, 115200]),
    bytesize=st.integers(5, 8),
    parity=st.sampled_from(["N", "E", "O", "M", "S"]),
    stopbits=st.sampled_from([1.0, 1.5, 2.0]),
    timeout=st.none() | st.sampled_from([0.1, 0.5, 2.0, 30.0]),
)
def test_any_serial_uri_survives_a_round_trip(
    path: str, baudrate: int, bytesize: int, parity: str, stopbits: float, timeout: float | None
) -> None:
    uri = PrinterUri(
        PrinterKind.SERIAL,
        path=path,
        baudrate=baudrate,
        bytesize=bytesize,
        parity=parity,
        stopbits=stopbits,
        timeout=timeout,
    )
    assert parse_printer_uri(str(uri)) == uri


def test_which_connections_can_answer_a_status_request() -> None:
    answers = {
        text: parse_printer_uri(text).can_report_status
        for text in (
            "usb:04b8:0202",
            "usb:04b8:0202?in_ep=0x82",
            "file:/dev/usb/lp0",
            "serial:/dev/ttyUSB0",
            "tcp:10.0.0.9",
        )
    }
    assert answers == {
        "usb:04b8:0202": False,
        "usb:04b8:0202?in_ep=0x82": True,
        "file:/dev/usb/lp0": False,
        "serial:/dev/ttyUSB0": True,
        "tcp:10.0.0.9": True,
    }


def test_connections_are_made_without_the_device(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-device"
    file = open_printer(parse_printer_uri(f"file:{missing}"))
    assert isinstance(file, File)
    assert file.devfile == str(missing)

    serial = open_printer(
        parse_printer_uri(f"serial:{missing}?baudrate=19200&parity=E&stopbits=2&timeout=0.25")
    )
    assert isinstance(serial, Serial)
    assert (serial.devfile, serial.baudrate, serial.bytesize) == (str(missing), 19200, 8)
    assert (serial.parity, serial.stopbits, serial.timeout) == ("E", 2, 0.25)

    default = open_printer(parse_printer_uri(f"serial:{missing}"))
    assert (default.baudrate, default.parity, default.stopbits, default.timeout) == (
        9600,
        "N",
        1,
        1.0,
    )

    network = open_printer(parse_printer_uri("tcp:192.0.2.1"))  # TEST-NET: nobody is there
    assert isinstance(network, Network)
    assert (network.host, network.port, network.timeout) == ("192.0.2.1", 9100, 10.0)
    assert not missing.exists()  # nothing was opened, nothing created


def test_usb_needs_pyusb() -> None:
    uri = parse_printer_uri("usb:04b8:0202?in_ep=0x81&out_ep=0x02")
    if not Usb.is_usable():
        with pytest.raises(PrinterError, match=r"pyusb.*usb:04b8:0202.*file:/dev/usb/lp0"):
            open_printer(uri)
        return
    usb = open_printer(uri)
    assert isinstance(usb, Usb)
    assert usb.usb_args == {"idVendor": 0x04B8, "idProduct": 0x0202}
    assert (usb.in_ep, usb.out_ep) == (0x81, 0x02)
