"""A void on the real app under Xvfb, with staff on the device: the scan just made is corrected
freely; taking off a line rung up before it opens the manager's PIN sheet, and the void is
recorded. Screenshots at both sizes land in screenshots/ (gitignored)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.sim.woocommerce import SimHandle
from tests.ui import records
from tests.ui.harness import running_till
from tests.ui.test_staff import add_staff, type_pin

pytestmark = pytest.mark.timeout(240)


@pytest.mark.parametrize("size", ["800x480", "1280x800"])
async def test_a_void_of_an_earlier_line_takes_a_managers_pin(
    device: Path, display: str, store: SimHandle, size: str
) -> None:
    await add_staff(device)
    first, second = records.simple(store, 1), records.simple(store, 2)
    async with running_till(device, display, size) as till:
        await till.tap("Ann", role="staff")
        await type_pin(till, "2468")
        await till.scan(first["global_unique_id"])
        await till.scan(second["global_unique_id"])
        await till.scan(second["global_unique_id"])
        await till.tap("−", exact=True, index=1)  # one of the two just scanned: a correction
        assert "Manager's PIN" not in await till.screen_text()

        await till.tap("−", exact=True, index=0)  # the line before: a void
        screen = await till.screen_text()
        assert "Manager's PIN" in screen
        assert f"Taking {first['name']} off the sale needs a manager" in screen
        await till.shot("48-void-manager-pin")
        await till.tap("Mia", role="staff")
        await type_pin(till, "8642")
        lines = [t for t in await till.texts() if first["name"][:12] in t]
        assert lines == []  # the line is gone
        await till.shot("49-void-done")
    voids = records.rows(
        device, "SELECT approved_by, requested_by FROM staff_overrides WHERE action = 'void'"
    )
    assert [tuple(r) for r in voids] == [("Mia", "Ann")]
