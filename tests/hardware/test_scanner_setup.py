from __future__ import annotations

import pytest

from kiosk.config import HardwareConfig
from kiosk.hardware.scanner_setup import UDEV_NAMES, scanner_options


def test_only_named_scanners_are_read_and_the_settings_carry_over() -> None:
    default = scanner_options(HardwareConfig())
    assert default.patterns == UDEV_NAMES
    assert default.by_capability is False  # a maintenance keyboard is never grabbed
    named = scanner_options(
        HardwareConfig(
            scanners="/dev/input/by-id/usb-Honeywell-event-kbd, /dev/ttyACM3",
            serial_scanners="serial:/dev/ttyACM0?baudrate=115200,serial:/dev/ttyACM1",
            scanner_layout="de",
            scanner_terminator="none",
            scanner_gap_ms=80,
        )
    )
    assert named.patterns == ("/dev/input/by-id/usb-Honeywell-event-kbd", "/dev/ttyACM3")
    assert named.serial_ports == (("/dev/ttyACM0", 115200), ("/dev/ttyACM1", 9600))
    assert (named.layout, named.terminator, named.gap_s) == ("de", "none", 0.08)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"serial_scanners": "tcp:10.0.0.2"}, "serial scanner 'tcp:10.0.0.2' must start with"),
        ({"serial_scanners": "serial:/dev/x?baudrate=fast"}, "baudrate must be a whole number"),
        ({"scanner_layout": "dvorak"}, "Unknown keyboard layout 'dvorak'"),
    ],
)
def test_a_setting_that_cannot_be_used_is_named(settings: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        scanner_options(HardwareConfig(**settings))  # type: ignore[arg-type]
