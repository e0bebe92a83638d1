"""Manager overrides: required, checked against a manager's PIN, and recorded with who approved
what for whom; the drawer's no-sale opening is refused without one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kiosk.core.money import Money
from kiosk.hardware.fake import FakePrinter
from kiosk.staff import accounts, drawer, overrides
from kiosk.staff.accounts import StaffError, WrongPin
from kiosk.staff.overrides import Action, NotAManager
from kiosk.store.db import Database
from tests.staff.conftest import CHEAP, Clock


@pytest.fixture
async def staffed(db: Database) -> Database:
    await accounts.add_staff(db, name="Mia", role="manager", pin="8642", params=CHEAP)
    await accounts.add_staff(db, name="Bob", role="cashier", pin="1357", params=CHEAP)
    return db


async def rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    return await db.read(lambda c: c.execute(sql).fetchall())


async def test_an_override_is_recorded_with_who_approved_what(
    staffed: Database, clock: Clock
) -> None:
    approval = await overrides.approve(
        staffed,
        "refund",
        manager="mia",
        pin="8642",
        requested_by="Bob",
        subject="order-1",
        detail="2 x Mug back to cash",
        amount=Money(1250, "EUR"),
        now=clock(),
        params=CHEAP,
    )
    assert approval.action is Action.REFUND
    assert approval.approved_by.name == "Mia"
    logged = await overrides.list_overrides(staffed, clock())
    assert [
        (o.action, o.approved_by, o.requested_by, o.subject, o.detail, o.amount) for o in logged
    ] == [(Action.REFUND, "Mia", "Bob", "order-1", "2 x Mug back to cash", Money(1250, "EUR"))]
    assert logged[0].created_at == clock()


async def test_a_cashier_or_a_wrong_pin_approves_nothing(staffed: Database, clock: Clock) -> None:
    with pytest.raises(NotAManager, match="Bob is not a manager: a void needs a manager"):
        await overrides.approve(staffed, Action.VOID, manager="Bob", pin="1357", params=CHEAP)
    with pytest.raises(WrongPin):
        await overrides.approve(staffed, Action.VOID, manager="Mia", pin="1111", params=CHEAP)
    assert await rows(staffed, "SELECT * FROM staff_overrides") == []
    # The wrong PIN counted towards Mia's lockout like any other.
    assert await rows(staffed, "SELECT failures FROM staff WHERE name = 'Mia'") == [(1,)]


@pytest.mark.parametrize(
    ("off", "before", "limit", "needed"),
    [
        (1000, 10000, "10", False),  # exactly the limit
        (1001, 10000, "10", True),
        (125, 1000, "12.5", False),
        (126, 1000, "12.5", True),
        (1, 1000, "0", True),  # a limit of 0: every discount needs a manager
        (0, 1000, "0", False),
        (1000, 1000, "100", False),
    ],
)
def test_which_discounts_need_a_manager(off: int, before: int, limit: str, needed: bool) -> None:
    pct = overrides.parse_discount_limit(limit)
    assert overrides.discount_needs_manager(Money(off, "EUR"), Money(before, "EUR"), pct) is needed


@pytest.mark.parametrize("text", ["-1", "101", "ten", "nan"])
def test_a_discount_limit_is_a_percentage(text: str) -> None:
    with pytest.raises(ValueError, match="percentage"):
        overrides.parse_discount_limit(text)
    assert overrides.parse_discount_limit(" 7.5 ") == Decimal("7.5")


async def test_a_no_sale_opening_needs_an_approval_and_is_recorded(
    staffed: Database, clock: Clock
) -> None:
    printer = FakePrinter()
    with pytest.raises(StaffError, match="needs a manager's approval"):
        await drawer.open_drawer(staffed, printer, "no_sale", staff="Bob", now=clock())
    assert printer.drawer_opened == 0
    ok = await overrides.approve(
        staffed,
        Action.NO_SALE,
        manager="Mia",
        pin="8642",
        requested_by="Bob",
        now=clock(),
        params=CHEAP,
    )
    # An approval for something else does not open the drawer.
    other = await overrides.approve(staffed, Action.VOID, manager="Mia", pin="8642", params=CHEAP)
    with pytest.raises(StaffError):
        await drawer.open_drawer(staffed, printer, "no_sale", staff="Bob", approval=other)
    opening = await drawer.open_drawer(
        staffed, printer, drawer.Reason.NO_SALE, staff="Bob", approval=ok, now=clock()
    )
    assert printer.drawer_opened == 1
    assert await rows(staffed, "SELECT reason, staff, override_id FROM drawer_openings") == [
        ("no_sale", "Bob", ok.id)
    ]
    assert opening.override_id == ok.id


async def test_a_drawer_that_does_not_open_is_not_recorded(staffed: Database) -> None:
    printer = FakePrinter()
    printer.set_state("offline")
    with pytest.raises(Exception, match="not connected"):
        await drawer.open_drawer(staffed, printer, "cash_in", staff="Bob")
    assert await rows(staffed, "SELECT * FROM drawer_openings") == []
