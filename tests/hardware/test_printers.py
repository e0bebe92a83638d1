from __future__ import annotations

from pathlib import Path

from kiosk.hardware.printers import printer_uri
from kiosk.hardware.settings import HardwareConfig


def test_a_named_printer_wins_then_one_found_then_none(tmp_path: Path) -> None:
    lp = tmp_path / "lp0"
    kiosk_printer = tmp_path / "kiosk-printer"
    found_at = (str(kiosk_printer), str(lp))
    bare = HardwareConfig()
    assert printer_uri(bare, found_at=found_at) == ""  # nothing plugged in: receipt images
    lp.touch()
    assert printer_uri(bare, found_at=found_at) == f"file:{lp}"
    kiosk_printer.symlink_to(lp)  # the udev rules' name comes first
    assert printer_uri(bare, found_at=found_at) == f"file:{kiosk_printer}"
    named = HardwareConfig(printer="tcp:10.0.0.9:9100")
    assert printer_uri(named, found_at=found_at) == "tcp:10.0.0.9:9100"
    assert printer_uri(named, "serial:/dev/ttyUSB0", found_at=found_at) == "serial:/dev/ttyUSB0"
