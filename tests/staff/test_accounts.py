"""Staff accounts: add, list, remove (never the last manager), PIN sign-in with the lockout."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.staff import accounts, lockout, pins
from kiosk.staff.accounts import LockedOut, Role, StaffError, UnknownStaff, WrongPin
from kiosk.staff.pins import BadPin, PinParams
from kiosk.store.db import Database
from tests.staff.conftest import CHEAP, Clock


async def add(
    db: Database, name: str, role: str = "cashier", pin: str = "2468"
) -> accounts.StaffMember:
    return await accounts.add_staff(db, name=name, role=role, pin=pin, params=CHEAP)


async def test_staff_are_added_listed_and_found_by_name_in_any_case(db: Database) -> None:
    ann = await add(db, "  Ann   Lee ", "manager")
    await add(db, "bob")
    assert ann.name == "Ann Lee"
    assert ann.role is Role.MANAGER
    assert [m.name for m in await accounts.list_staff(db)] == ["Ann Lee", "bob"]
    assert (await accounts.get_staff(db, "ANN LEE")) == ann
    assert (await accounts.get_staff(db, ann.id)) == ann
    stored = await db.read(lambda c: c.execute("SELECT pin_hash FROM staff").fetchall())
    assert all("2468" not in row[0] for row in stored)


async def test_a_name_is_taken_once_and_values_are_checked(db: Database) -> None:
    await add(db, "Ann")
    with pytest.raises(StaffError, match="already a staff member called ann"):
        await add(db, "ann")
    with pytest.raises(StaffError, match="cashier or manager"):
        await add(db, "Cy", role="owner")
    with pytest.raises(StaffError, match="must not be empty"):
        await add(db, "   ")
    with pytest.raises(BadPin):
        await add(db, "Cy", pin="12")
    assert [m.name for m in await accounts.list_staff(db)] == ["Ann"]


async def test_the_last_manager_cannot_be_removed(db: Database) -> None:
    ann = await add(db, "Ann", "manager")
    bob = await add(db, "Bob")
    with pytest.raises(StaffError, match="Ann is the only manager"):
        await accounts.remove_staff(db, "ann")
    assert (await accounts.remove_staff(db, "Bob")).id == bob.id
    cy = await add(db, "Cy", "manager")
    await accounts.remove_staff(db, ann.id)
    assert [m.name for m in await accounts.list_staff(db)] == ["Cy"]
    with pytest.raises(StaffError, match="only manager"):
        await accounts.remove_staff(db, cy.id)
    with pytest.raises(UnknownStaff):
        await accounts.remove_staff(db, "Ann")
    # A removed name can be given to someone new; the old row stays for what Ann did.
    await add(db, "Ann")
    count = await db.read(lambda c: c.execute("SELECT count(*) FROM staff").fetchone()[0])
    assert count == 4


async def test_a_good_pin_signs_in_and_a_removed_member_cannot(db: Database) -> None:
    await add(db, "Ann", "manager")
    await add(db, "Bob", pin="1357")
    bob = await accounts.verify_pin(db, "bob", "1357", params=CHEAP)
    assert bob.name == "Bob"
    assert bob.role is Role.CASHIER
    await accounts.remove_staff(db, "Bob")
    with pytest.raises(UnknownStaff):
        await accounts.verify_pin(db, "bob", "1357", params=CHEAP)


async def test_wrong_pins_lock_out_with_a_growing_delay(db: Database, clock: Clock) -> None:
    await add(db, "Bob", pin="1357")

    async def attempt(pin: str) -> accounts.StaffMember:
        return await accounts.verify_pin(db, "Bob", pin, now=clock(), params=CHEAP)

    # The free tries: wrong, but no wait.
    for _ in range(lockout.FREE_TRIES - 1):
        with pytest.raises(WrongPin) as wrong:
            await attempt("0000")
        assert wrong.value.locked_until is None
    waits = []
    for _ in range(4):
        with pytest.raises(WrongPin) as wrong:
            await attempt("0000")
        until = wrong.value.locked_until
        assert until is not None
        waits.append(until - clock())
        # Locked: even the right PIN is not checked until the wait is over.
        clock.advance(seconds=(until - clock()).total_seconds() - 1)
        with pytest.raises(LockedOut, match="try again in 1 second"):
            await attempt("1357")
        clock.advance(seconds=1)
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    # The wait is over: the right PIN signs in and clears the count.
    assert (await attempt("1357")).name == "Bob"
    for _ in range(lockout.FREE_TRIES - 1):
        with pytest.raises(WrongPin) as wrong:
            await attempt("0000")
        assert wrong.value.locked_until is None


async def test_the_lockout_survives_a_restart(db: Database, clock: Clock, tmp_path) -> None:
    await add(db, "Bob", pin="1357")
    for _ in range(lockout.FREE_TRIES):
        with pytest.raises(WrongPin):
            await accounts.verify_pin(db, "Bob", "0000", now=clock(), params=CHEAP)
    await db.close()
    async with await Database.open(db.path) as again:
        with pytest.raises(LockedOut, match="30 seconds"):
            await accounts.verify_pin(again, "Bob", "1357", now=clock(), params=CHEAP)


def test_the_delay_is_capped() -> None:
    assert lockout.delay_after(2) == timedelta(0)
    assert lockout.delay_after(3) == timedelta(seconds=30)
    assert lockout.delay_after(8) == timedelta(minutes=15)
    assert lockout.delay_after(10_000) == lockout.MAX_DELAY


async def test_a_pin_at_a_lower_cost_is_stored_again_at_the_new_one(db: Database) -> None:
    await add(db, "Bob", pin="1357")
    raised = PinParams(n=2**6, r=2, p=1)
    await accounts.verify_pin(db, "Bob", "1357", params=raised)
    stored = await db.read(lambda c: c.execute("SELECT pin_hash FROM staff").fetchone()[0])
    assert stored.startswith("scrypt$64$2$1$")
    assert (await accounts.verify_pin(db, "Bob", "1357", params=raised)).name == "Bob"


async def test_a_manager_resets_a_pin_and_the_lockout(db: Database, clock: Clock) -> None:
    await add(db, "Bob", pin="1357")
    for _ in range(lockout.FREE_TRIES):
        with pytest.raises(WrongPin):
            await accounts.verify_pin(db, "Bob", "0000", now=clock(), params=CHEAP)
    await accounts.set_pin(db, "Bob", "9753", params=CHEAP)
    assert (await accounts.verify_pin(db, "Bob", "9753", now=clock(), params=CHEAP)).name == "Bob"
    with pytest.raises(WrongPin):
        await accounts.verify_pin(db, "Bob", "1357", now=clock(), params=CHEAP)


async def test_a_provisioning_file_can_give_the_hash_instead_of_the_pin(db: Database) -> None:
    stored = pins.hash_pin("5827", CHEAP)
    member = await accounts.add_staff(
        db, name="Flo", role="manager", pin_hash=stored, staff_id="prov-1"
    )
    assert member.id == "prov-1"
    assert (await accounts.verify_pin(db, "Flo", "5827", params=CHEAP)).id == "prov-1"
    with pytest.raises(StaffError, match="not one kiosk made"):
        await accounts.add_staff(db, name="Gus", role="cashier", pin_hash="$2y$10$abc")
    with pytest.raises(StaffError, match="one of the two"):
        await accounts.add_staff(db, name="Gus", role="cashier", pin="5827", pin_hash=stored)
    with pytest.raises(StaffError, match="already a staff member with the id prov-1"):
        await accounts.add_staff(db, name="Hal", role="cashier", pin_hash=stored, staff_id="prov-1")
