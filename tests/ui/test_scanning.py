"""A scanner read directly by the running app (a serial scanner on a pty, named as udev names
one): its codes sell, it shows in the Devices sheet, and it reads again after a replug."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.config import HardwareConfig
from kiosk.sim.woocommerce import SimHandle
from tests.ui import records
from tests.ui.harness import provision, running_till

pytestmark = pytest.mark.timeout(240)


class PtyScanner:
    """A serial scanner: the app reads the pty's device end, through a stable name."""

    def __init__(self, link: Path) -> None:
        self.main, self.device = os.openpty()
        self.link = link
        link.unlink(missing_ok=True)
        link.symlink_to(os.ttyname(self.device))

    def scan(self, code: str) -> None:
        os.write(self.main, code.encode() + b"\r\n")

    def unplug(self) -> None:
        self.link.unlink(missing_ok=True)
        os.close(self.main)
        os.close(self.device)


async def test_a_serial_scanner_sells_and_survives_a_replug(
    tmp_path: Path, display: str, store: SimHandle
) -> None:
    data_dir = tmp_path / "device"
    link = tmp_path / "kiosk-scanner0"
    provision(data_dir, store, HardwareConfig(scanners=str(link)))
    first, second = records.simple(store, 0), records.simple(store, 1)
    scanner = PtyScanner(link)
    try:
        async with running_till(data_dir, display, "800x480") as till:
            await till.tap(role="devices")
            await till.wait_text("Scanner kiosk-scanner0: reading")
            await till.shot("23-devices-scanner")
            await till.tap("Back", exact=True)

            scanner.scan(first["global_unique_id"])
            await till.wait_text(f"Added {first['name']}")
            assert f"Pay £{first['price']}" in await till.screen_text()

            # Unplugged, then plugged back in: it reads again without a restart.
            scanner.unplug()
            scanner = PtyScanner(link)
            await till.tap(role="devices")
            await till.wait_text("Scanner kiosk-scanner0: reading")
            await till.tap("Back", exact=True)
            scanner.scan(second["global_unique_id"])
            await till.wait_text(f"Added {second['name']}")
            screen = await till.screen_text()
            total = records.money(first["price"]) + records.money(second["price"])
            assert f"Pay {records.pounds(total)}" in screen
    finally:
        scanner.unplug()
