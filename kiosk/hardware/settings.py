"""The counter's devices as kiosk.toml's [hardware] section gives them: plain values.

Declared here, by the package that uses them, so that hardware never imports the settings
loader (kiosk.config loads and checks this section like any other).
"""

from __future__ import annotations

from dataclasses import dataclass

PAPER_COLUMNS = {80: 48, 58: 32}  # paper width in mm -> characters per line


@dataclass(frozen=True, slots=True)
class HardwareConfig:
    """The counter's devices; empty means none configured (the demo's simulated ones)."""

    printer: str = ""  # usb:VID:PID, file:/dev/usb/lp0, serial:/dev/ttyUSB0, tcp:HOST[:PORT]
    paper_mm: int = 80  # 80 mm paper takes 48 columns, 58 mm takes 32
    drawer_pin: int = 2  # the kick connector's pin: 2 or 5
    drawer_pulse_ms: int = 100
    logo: str = ""  # an image file printed above the receipt's header
    scanners: str = ""  # input devices to read, comma-separated paths; "" finds them
    serial_scanners: str = ""  # comma-separated URIs: serial:/dev/ttyACM0?baudrate=9600
    scanner_layout: str = "us"  # the keyboard layout the scanners are set to
    scanner_terminator: str = "enter"  # what ends a code: enter, tab, or none (then a pause)
    scanner_gap_ms: int = 50  # with terminator none: the pause that ends a code
