"""`kiosk receipt` and `kiosk hw`: the technician's commands, without a printer attached."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core.models import Product
from tests.cli.conftest import Run, as_json
from tests.hardware.escpos_decoder import Pulse, decode
from tests.hardware.tcp_printer import TcpPrinter


def test_a_receipt_is_printed_again_as_an_image_when_no_printer_is_set(
    loaded: Run, data_dir: Path, demo_products: list[Product]
) -> None:
    code, out, err = loaded("sale", "--item", demo_products[0].sku, "--json")
    assert code == 0, err
    number = as_json(out)["number"]
    code, out, err = loaded("receipt", number)
    assert code == 0, err
    png = data_dir / "receipts" / f"{number}.png"
    assert out.strip() == f"Receipt for order {number} saved as {png} (no printer is set)."
    assert png.exists()
    text = png.with_suffix(".txt").read_text(encoding="utf-8")
    assert number in text
    assert demo_products[0].name[:20] in text
    assert "NOT YET SYNCED" in text  # it has not reached the store


def test_a_receipt_for_an_unknown_order_exits_2(loaded: Run) -> None:
    code, _out, err = loaded("receipt", "POS-99999")
    assert code == 2
    assert "no order with id or number 'POS-99999'" in err


def test_printer_checks_without_a_printer_say_how_to_set_one(kiosk: Run) -> None:
    for action in ("test-print", "open-drawer"):
        code, _out, err = kiosk("hw", action)
        assert code == 2
        assert "no printer is set or plugged in" in err
        assert "[hardware] in kiosk.toml, or pass --printer URI" in err


def test_scanners_lists_a_serial_scanner_it_can_read(kiosk: Run, data_dir: Path) -> None:
    main_fd, device_fd = os.openpty()
    try:
        port = os.ttyname(device_fd)
        data_dir.mkdir(parents=True)
        (data_dir / "kiosk.toml").write_text(
            f'[hardware]\nserial_scanners = "serial:{port}?baudrate=9600"\n'
        )
        code, out, err = kiosk("hw", "scanners", "--json")
        assert code == 0, err
        (found,) = as_json(out)["scanners"]
        assert (found["path"], found["kind"], found["state"]) == (port, "serial", "reading"), found
    finally:
        os.close(main_fd)
        os.close(device_fd)


def test_scanners_says_where_it_looked_when_none_is_found(kiosk: Run) -> None:
    code, out, _err = kiosk("hw", "scanners")
    assert code == 0
    assert out.strip() == (
        "No scanner found at /dev/kiosk-scanner*: check the cable, or name it in hardware.scanners."
    )


def test_a_bad_scanner_setting_is_named(kiosk: Run, data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.toml").write_text('[hardware]\nscanner_layout = "dvorak"\n')
    code, _out, err = kiosk("hw", "scanners")
    assert code == 2
    assert "Unknown keyboard layout 'dvorak'" in err


@pytest.fixture
def network_printer() -> Iterator[TcpPrinter]:
    server = TcpPrinter()
    try:
        yield server
    finally:
        server.close()


def test_the_technicians_commands_print_on_a_network_printer(
    loaded: Run, demo_products: list[Product], network_printer: TcpPrinter
) -> None:
    uri = f"tcp:127.0.0.1:{network_printer.port}"
    code, out, err = loaded("hw", "test-print", "--printer", uri)
    assert code == 0, err
    assert out.strip() == f"Test page printed on {uri}."
    page = decode(network_printer.job(0))  # one connection a job
    assert "Printer test page" in [t.strip() for t in page.texts]
    assert f"Printer: {uri}" in page.texts
    assert page.cuts

    code, out, err = loaded("hw", "open-drawer", "--printer", uri, "--json")
    assert code == 0, err
    assert as_json(out) == {"printer": uri, "opened": True, "pin": 2, "pulse_ms": 100}
    assert decode(network_printer.job(1)).pulses == [Pulse(pin=2, t1=50, t2=50)]  # x 2 ms

    code, out, err = loaded("sale", "--item", demo_products[0].sku, "--json")
    assert code == 0, err
    number = as_json(out)["number"]
    code, out, err = loaded("receipt", number, "--printer", uri)
    assert code == 0, err
    assert out.strip() == f"Receipt for order {number} printed on {uri}."
    receipt = decode(network_printer.job(2))
    assert any(number in t for t in receipt.texts)
    assert any("NOT YET SYNCED" in t for t in receipt.texts)


def test_a_printer_that_is_off_is_reported_with_exit_1(loaded: Run) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()  # nothing listens there now: a printer switched off
    code, _out, err = loaded("hw", "test-print", "--printer", f"tcp:127.0.0.1:{port}")
    assert code == 1
    assert "is not connected" in err


def test_the_shops_header_and_footer_are_on_the_receipt(
    loaded: Run, data_dir: Path, demo_products: list[Product]
) -> None:
    (data_dir / "kiosk.toml").write_text(
        '[receipt]\nheader = "12 High Street\\nVAT GB 123 4567 89"\nfooter = "Thank you!"\n'
    )
    code, out, err = loaded("sale", "--item", demo_products[0].sku, "--json")
    assert code == 0, err
    number = as_json(out)["number"]
    code, _out, err = loaded("receipt", number)
    assert code == 0, err
    text = (data_dir / "receipts" / f"{number}.txt").read_text()
    lines = [ln.strip() for ln in text.splitlines()]
    order_at = next(i for i, ln in enumerate(lines) if ln.startswith("Order"))
    assert lines.index("12 High Street") < lines.index("VAT GB 123 4567 89") < order_at
    assert lines.index("Thank you!") > order_at
