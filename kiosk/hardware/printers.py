"""Which receipt printer this device has: the configured ESC/POS printer, else one found plugged
in, else the image printer that saves each receipt as a PNG (the demo's, and a desktop's)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from kiosk.hardware.base import ReceiptPrinter
from kiosk.hardware.settings import PAPER_COLUMNS, HardwareConfig


def receipt_columns(hw: HardwareConfig) -> int:
    return PAPER_COLUMNS[hw.paper_mm]


# Where a printer is found when none is named: the udev rules' stable name for a USB printer-class
# printer, then the kernel's first one.
FOUND_AT = ("/dev/kiosk-printer", "/dev/usb/lp0")


def printer_uri(
    hw: HardwareConfig, override: str | None = None, *, found_at: Sequence[str] = FOUND_AT
) -> str:
    """The printer named on the command line, else in kiosk.toml, else one found plugged in;
    "" when there is none."""
    named = (override or hw.printer).strip()
    if named:
        return named
    return next((f"file:{path}" for path in found_at if os.path.exists(path)), "")


def escpos_printer(hw: HardwareConfig, uri: str) -> ReceiptPrinter:
    """The ESC/POS printer at `uri` with the device's paper, drawer and logo settings.

    Raises ValueError naming the URI when it cannot be read.
    """
    from kiosk.hardware.printer_escpos import EscposPrinter  # python-escpos: the hardware extra

    return EscposPrinter(
        uri,
        columns=receipt_columns(hw),
        drawer_pin=hw.drawer_pin,
        pulse_ms=hw.drawer_pulse_ms,
        logo=Path(hw.logo) if hw.logo else None,
    )


def printer_at(hw: HardwareConfig, data_dir: Path, uri: str) -> ReceiptPrinter:
    """The printer at `uri` (from printer_uri), or, for "", the image printer."""
    if uri:
        return escpos_printer(hw, uri)
    from kiosk.hardware.receipt_image import ImagePrinter

    return ImagePrinter(receipts_folder(data_dir))


def receipts_folder(data_dir: Path) -> Path:
    """Where the image printer keeps each receipt (as PNG and text)."""
    return data_dir / "receipts"
