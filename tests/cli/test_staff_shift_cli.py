"""`kiosk staff` and `kiosk shift` in-process: PINs from stdin and never shown, a shift run from
the command line whose Z report matches the orders in the database, printed over a pty."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Run, as_json
from tests.hardware.escpos_decoder import decode
from tests.hardware.test_printer_escpos import PtyPrinter

Feed = Callable[[str], None]  # what the PIN prompt reads next from stdin


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Feed:
    def feed(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


def test_staff_are_added_listed_and_removed(kiosk: Run, stdin: Feed) -> None:
    stdin("48213\n")
    code, out, err = kiosk("staff", "add", "Mia Wong", "--role", "manager", "--pin-stdin")
    assert (code, err) == (0, "")
    assert out == "Added Mia Wong (manager).\n"
    stdin("97531\n")
    code, out, _ = kiosk("staff", "add", "bob", "--json")
    assert code == 0
    assert as_json(out)["role"] == "cashier"
    assert "97531" not in out
    code, out, _ = kiosk("staff", "list")
    assert out.split() == ["Name", "Role", "bob", "cashier", "Mia", "Wong", "manager"]
    code, _, err = kiosk("staff", "remove", "MIA WONG")
    assert code == 2
    assert "Mia Wong is the only manager" in err
    stdin("1111\n")
    code, _, err = kiosk("staff", "add", "Cy")
    assert code == 2
    assert "one digit repeated" in err
    assert "1111" not in err
    stdin("")
    code, _, err = kiosk("staff", "add", "Cy")
    assert code == 2
    assert "no PIN on standard input" in err
    code, out, _ = kiosk("staff", "remove", "bob", "--json")
    assert code == 0
    assert as_json(out)["removed"]["name"] == "bob"


def test_a_shift_from_the_command_line_adds_up(
    loaded: Run, stdin: Feed, data_dir: Path, tmp_path: Path
) -> None:
    kiosk = loaded
    stdin("48213\n")
    assert kiosk("staff", "add", "Mia", "--role", "manager")[0] == 0
    stdin("97531\n")
    assert kiosk("staff", "add", "Bob")[0] == 0

    stdin("0000\n")
    code, _, err = kiosk("shift", "open", "--float", "100.00", "--staff", "Bob")
    assert code == 2
    assert "--staff Bob: wrong PIN" in err
    stdin("97531\n")
    code, out, err = kiosk("shift", "open", "--count", "20=4", "--count", "10=2", "--staff", "Bob")
    assert code == 0, err
    assert out == "Shift 1 opened by Bob with a float of £100.00.\n"

    for item, cash in (("COF-ESP-250:2", "20.00"), ("COF-ETH-250", None), ("COF-CB-10:3", "50")):
        args = ["sale", "--item", item] + (["--cash", cash] if cash else [])
        assert kiosk(*args)[0] == 0
    stdin("97531\n")
    code, out, _ = kiosk(
        "shift", "cash-in", "25.00", "--reason", "coins from the bank", "--staff", "Bob"
    )
    assert code == 0
    assert out == "£25.00 into the drawer (coins from the bank), by Bob.\n"
    stdin("48213\n")
    code, out, _ = kiosk(
        "shift", "cash-out", "12.50", "--reason", "milk", "--staff", "Mia", "--json"
    )
    assert as_json(out)["amount"]["minor"] == 1250

    code, out, _ = kiosk("shift", "report", "--json")
    x = as_json(out)
    assert x["kind"] == "X"
    assert x["orders"] == 3

    with sqlite3.connect(data_dir / "kiosk.db") as conn:
        cash_sales = conn.execute(
            "SELECT sum(amount) FROM payments WHERE method = 'cash'"
        ).fetchone()[0]
        gross, tax = conn.execute("SELECT sum(total), sum(tax_total) FROM orders").fetchone()
    expected = 10000 + cash_sales + 2500 - 1250
    stdin("48213\n")
    link = tmp_path / "printer"
    device = PtyPrinter(link)
    try:
        code, out, err = kiosk(
            "shift",
            "close",
            "--counted",
            f"{(expected - 5) / 100:.2f}",
            "--staff",
            "Mia",
            "--printer",
            device.uri,
            "--json",
        )
        assert code == 0, err
        paper = decode(device.sent())
    finally:
        device.close()
    z = as_json(out)
    assert z["kind"] == "Z"
    assert z["orders"] == 3
    assert z["gross"]["minor"] == gross
    assert z["tax"]["minor"] == tax
    assert z["cash"]["expected"]["minor"] == expected
    assert z["cash"]["variance"]["minor"] == -5
    assert z["cash"]["variance"]["formatted"] == "-£0.05"
    assert z["printed"] == device.uri
    texts = paper.texts
    assert any("Z report" in t for t in texts)
    assert any(t.startswith("Variance") and t.endswith("-£0.05") for t in texts)
    assert any(t.startswith("Expected cash") for t in texts)
    assert [q.data.split("|")[0] for q in paper.qr_codes] == ["Z-0001"]

    # The Z report again, later: the same numbers; and saved as an image without a printer.
    code, out, _ = kiosk("shift", "report", "--shift", "1", "--print")
    assert code == 0
    assert "Variance" in out
    assert (data_dir / "receipts" / "Z-0001.png").is_file()
    stdin("97531\n")
    code, _, err = kiosk("shift", "cash-in", "1.00", "--reason", "x", "--staff", "Bob")
    assert code == 2
    assert "no shift is open" in err


def test_a_drawer_opened_from_the_shell_is_on_record(
    kiosk: Run, data_dir: Path, tmp_path: Path
) -> None:
    device = PtyPrinter(tmp_path / "printer")
    try:
        code, _, err = kiosk("hw", "open-drawer", "--printer", device.uri)
        assert code == 0, err
        assert decode(device.sent()).pulses
    finally:
        device.close()
    with sqlite3.connect(data_dir / "kiosk.db") as conn:
        rows = conn.execute("SELECT reason, staff, override_id FROM drawer_openings").fetchall()
    assert rows == [("no_sale", "technician (kiosk hw open-drawer)", None)]
