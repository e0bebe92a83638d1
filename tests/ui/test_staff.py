"""Staff at the real app under Xvfb: the till opens locked, a wrong PIN is refused in words, the
cashier signs in and sells, a discount above the limit takes a manager's PIN (recorded), the
cashier's name in the bar locks the till for a quick switch, and each order records who sold.
Screenshots at both sizes land in screenshots/ (gitignored)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.sim.woocommerce import SimHandle
from kiosk.staff import accounts
from kiosk.store.db import Database
from tests.ui import records
from tests.ui.harness import Till, running_till

pytestmark = pytest.mark.timeout(240)


async def add_staff(data_dir: Path) -> None:
    async with await Database.open(data_dir / "kiosk.db") as db:
        await accounts.add_staff(db, name="Ann", role="cashier", pin="2468")
        await accounts.add_staff(db, name="Mia", role="manager", pin="8642")


async def type_pin(till: Till, pin: str) -> None:
    for digit in pin:
        await till.tap(digit, exact=True)
    await till.tap(role="pin-ok")


async def type_new_pin(till: Till, pin: str) -> None:
    for digit in pin:
        await till.tap(digit, exact=True)
    await till.tap("OK", exact=True)


@pytest.mark.parametrize("size", ["800x480", "1280x800"])
async def test_sign_in_manager_override_and_quick_switch(
    device: Path, display: str, store: SimHandle, size: str
) -> None:
    data_dir = device
    await add_staff(data_dir)
    product = records.simple(store)
    async with running_till(data_dir, display, size) as till:
        screen = await till.screen_text()
        assert "Sign in to sell" in screen
        assert "Tap your name, then type your PIN" in screen
        await till.shot("40-staff-sign-in")
        # Locked: a scan sells nothing (the sheet covers the sale screen).
        await till.scan(product["global_unique_id"])
        assert records.orders(data_dir) == []

        await till.tap("Ann", role="staff")
        await type_pin(till, "1111")
        assert "Wrong PIN: try again" in await till.screen_text()
        await till.shot("41-staff-wrong-pin")
        await type_pin(till, "2468")
        screen = await till.screen_text()
        assert "Sign in to sell" not in screen
        assert any(t.startswith("Ann") for t in await till.texts())  # who sells, in the bar

        await till.scan(product["global_unique_id"])
        await till.tap(role="discount")
        await till.tap("20%", exact=True)
        screen = await till.screen_text()
        assert "Manager's PIN" in screen
        assert "A discount above the limit of 10%" in screen
        await till.shot("42-staff-manager-pin")
        await till.tap("Mia", role="staff")
        await type_pin(till, "8642")
        assert "20% off the sale" in await till.screen_text()
        await till.shot("43-staff-discount-approved")
        await till.tap(role="pay")
        await till.tap(role="quick-cash", index=0)
        await till.wait_text("Sale complete")
        await till.tap("New sale", exact=True)

        # The quick switch: the name in the bar locks the till; Mia signs in and sells.
        await till.tap(role="who")
        assert "Locked: sign in to sell" in await till.screen_text()
        await till.shot("44-staff-locked")
        await till.tap("Mia", role="staff")
        await type_pin(till, "8642")
        # A no-sale opening of the drawer, from the Devices sheet: a manager's PIN, recorded.
        await till.tap(role="devices")
        await till.tap("Open the drawer")
        assert "Opening the drawer without a sale needs a manager" in await till.screen_text()
        await type_pin(till, "8642")  # Mia, the only manager, is chosen already
        assert "Drawer opened (no sale, Mia approved)" in await till.screen_text()
        await till.shot("45-staff-no-sale")
        await till.tap(role="back")
        await till.scan(product["global_unique_id"])
        await till.tap(role="pay")
        await till.tap(role="quick-cash", index=0)
        await till.wait_text("Sale complete")
        await till.tap("New sale", exact=True)

    sold = records.orders(data_dir)
    assert [o["cashier"] for o in sold] == ["Ann", "Mia"]
    approved = records.rows(
        data_dir, "SELECT action, approved_by, requested_by, subject, detail FROM staff_overrides"
    )
    assert [tuple(r) for r in approved] == [
        ("discount", "Mia", "Ann", sold[0]["id"], "20% off"),
        ("no_sale", "Mia", "Mia", "", "no sale"),
    ]
    opened = records.rows(
        data_dir, "SELECT reason, staff, order_id, override_id IS NOT NULL FROM drawer_openings"
    )
    assert sorted((tuple(r) for r in opened), key=str) == sorted(
        [
            ("sale", "Ann", sold[0]["id"], 0),
            ("no_sale", "Mia", None, 1),
            ("sale", "Mia", sold[1]["id"], 0),
        ],
        key=str,
    )


@pytest.mark.parametrize("size", ["800x480", "1280x800"])
async def test_a_manager_adds_and_removes_staff_on_the_till(
    device: Path, display: str, size: str
) -> None:
    data_dir = device
    await add_staff(data_dir)
    async with running_till(data_dir, display, size) as till:
        await till.tap("Ann", role="staff")
        await type_pin(till, "2468")
        await till.tap(role="devices")
        await till.tap("Staff", exact=True)
        assert "Changing the staff needs a manager" in await till.screen_text()
        await type_pin(till, "8642")
        screen = await till.screen_text()
        assert "Ann · cashier" in screen
        assert "Mia · manager" in screen
        await till.shot("46-staff-list")
        await till.tap("Mia · manager")
        assert "Mia is the only manager" in await till.screen_text()
        await till.tap("Ann · cashier")
        assert "Ann is signed in: sign in as someone else first" in await till.screen_text()

        await till.tap("Add a cashier")
        await till.type_on_keyboard("bob")
        await till.tap("Done", exact=True)
        assert "Bob: a PIN of 4 to 12 digits" in await till.screen_text()
        await type_new_pin(till, "1357")
        assert "The same PIN again, then OK" in await till.screen_text()
        await type_new_pin(till, "1375")
        assert "The two PINs were not the same" in await till.screen_text()
        await type_new_pin(till, "1357")
        await type_new_pin(till, "1357")
        screen = await till.screen_text()
        assert "Added Bob (cashier): they can sign in now" in screen
        assert "Bob · cashier" in screen  # the list, drawn again
        await till.shot("47-staff-added")

        await till.tap(role="back")  # the Staff sheet
        await till.tap(role="back")  # the Devices sheet
        await till.tap(role="who")  # the quick switch, to Bob
        await till.tap("Bob", role="staff")
        await type_pin(till, "1357")
        assert any(t.startswith("Bob") for t in await till.texts())
    staff = records.rows(data_dir, "SELECT name, role FROM staff WHERE removed_at IS NULL")
    assert sorted(tuple(r) for r in staff) == [
        ("Ann", "cashier"),
        ("Bob", "cashier"),
        ("Mia", "manager"),
    ]
    approvals = records.rows(
        data_dir, "SELECT action, approved_by, requested_by FROM staff_overrides"
    )
    assert [tuple(r) for r in approvals] == [("settings", "Mia", "Ann")]
