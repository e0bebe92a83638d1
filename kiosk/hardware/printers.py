"""Which receipt printer this device has: the configured ESC/POS printer, else the image printer
that saves each receipt as a PNG (the demo's, and a desktop's)."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import PAPER_COLUMNS, Config
from kiosk.hardware.base import ReceiptPrinter


def receipt_columns(config: Config) -> int:
    return PAPER_COLUMNS[config.hardware.paper_mm]


def printer_uri(config: Config, override: str | None = None) -> str:
    """The printer named on the command line, else in kiosk.toml; "" when there is none."""
    return (override or config.hardware.printer).strip()


def escpos_printer(config: Config, uri: str) -> ReceiptPrinter:
    """The ESC/POS printer at `uri` with the device's paper, drawer and logo settings.

    Raises ValueError naming the URI when it cannot be read.
    """
    from kiosk.hardware.printer_escpos import EscposPrinter  # python-escpos: the hardware extra

    hw = config.hardware
    return EscposPrinter(
        uri,
        columns=receipt_columns(config),
        drawer_pin=hw.drawer_pin,
        pulse_ms=hw.drawer_pulse_ms,
        logo=Path(hw.logo) if hw.logo else None,
    )


def printer_for(config: Config, override: str | None = None) -> ReceiptPrinter:
    uri = printer_uri(config, override)
    if uri:
        return escpos_printer(config, uri)
    from kiosk.hardware.receipt_image import ImagePrinter

    return ImagePrinter(receipts_folder(config))


def receipts_folder(config: Config) -> Path:
    return config.data_dir / "receipts"
