"""The scanners this device reads directly, from kiosk.toml's [hardware] settings.

Only scanners named in hardware.scanners, or given a kiosk-scanner name by the udev rules, are
read (and grabbed): a keyboard plugged in for maintenance is never taken from the technician.
"""

from __future__ import annotations

from kiosk.hardware.printer_uri import PrinterKind, parse_printer_uri
from kiosk.hardware.scanners import ScannerOptions
from kiosk.hardware.settings import HardwareConfig

UDEV_NAMES = ("/dev/kiosk-scanner*",)  # system/udev/rules.d/71-kiosk-scanners.rules


def _listed(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def serial_port(uri: str) -> tuple[str, int]:
    """`serial:/dev/ttyACM0?baudrate=9600` -> ("/dev/ttyACM0", 9600), read as a printer's serial
    URI is; ValueError names the URI."""
    port = parse_printer_uri(uri)
    if port.kind is not PrinterKind.SERIAL:
        raise ValueError(
            f"serial scanner {uri!r} must start with serial:, e.g. serial:/dev/ttyACM0"
        )
    return port.path, port.baudrate


def scanner_options(hw: HardwareConfig) -> ScannerOptions:
    """ValueError names the setting that cannot be used."""
    return ScannerOptions(
        layout=hw.scanner_layout,
        terminator=hw.scanner_terminator,
        gap_s=hw.scanner_gap_ms / 1000,
        patterns=_listed(hw.scanners) or UDEV_NAMES,
        by_capability=False,
        serial_ports=tuple(serial_port(u) for u in _listed(hw.serial_scanners)),
    )
