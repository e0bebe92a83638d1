"""The till's sign-in: locked until someone signs in, locks after idle on the injected clock,
quick switch to another cashier, whose name the next order and the drawer opening record."""

from __future__ import annotations

import pytest

from kiosk.checkout import Checkout
from kiosk.core.models import PaymentMethod
from kiosk.core.money import Money
from kiosk.staff import accounts
from kiosk.staff.accounts import StaffError, WrongPin
from kiosk.staff.signin import StaffSession
from kiosk.store.db import Database
from tests.counter.till import MUG, make_till, stock_shop
from tests.staff.conftest import CHEAP, Clock


@pytest.fixture
async def shop(db: Database) -> Database:
    await stock_shop(db)
    await accounts.add_staff(db, name="Ann", role="cashier", pin="2468", params=CHEAP)
    await accounts.add_staff(db, name="Bob", role="cashier", pin="1357", params=CHEAP)
    return db


async def rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    return await db.read(lambda c: [tuple(r) for r in c.execute(sql).fetchall()])


async def test_locked_until_sign_in_then_after_idle(shop: Database, clock: Clock) -> None:
    names: list[str] = []
    s = StaffSession(shop, clock=clock, idle_lock_s=60, on_cashier=names.append, params=CHEAP)
    assert s.locked
    assert not s.touch()
    with pytest.raises(WrongPin):
        await s.sign_in("Ann", "0000")
    assert s.locked
    await s.sign_in("ann", "2468")
    assert not s.locked
    assert names == ["Ann"]
    clock.advance(seconds=59)
    assert s.touch()  # the idle time starts again
    clock.advance(seconds=59)
    assert not s.locked
    assert s.idle_left().total_seconds() == 1
    clock.advance(seconds=1)
    assert s.locked
    # A tap after the lock does not reopen the till, even if the clock were to step back.
    assert not s.touch()
    clock.advance(seconds=-30)
    assert s.locked
    await s.sign_in("Ann", "2468")
    assert not s.locked
    s.lock()
    assert s.locked


async def test_quick_switch_records_the_new_cashier_on_orders_and_the_drawer(
    shop: Database, clock: Clock
) -> None:
    till = await make_till(shop)
    checkout: Checkout = till.session._checkout
    s = StaffSession(
        shop, clock=clock, on_cashier=lambda n: setattr(checkout, "cashier", n), params=CHEAP
    )
    await s.sign_in("Ann", "2468")
    till.session.add(MUG)
    till.session.add_cash(Money(5000, "EUR"))
    first = await till.session.complete()
    await s.sign_in("Bob", "1357")  # the quick switch
    till.session.add(MUG)
    till.session.add_cash(Money(5000, "EUR"))
    second = await till.session.complete()
    till.session.add(MUG)
    await till.session.pay_card()
    card = await till.session.complete()
    assert (first.order.cashier, second.order.cashier, card.order.cashier) == ("Ann", "Bob", "Bob")
    stored = await rows(shop, "SELECT number, cashier FROM orders ORDER BY number")
    assert [c for _, c in stored] == ["Ann", "Bob", "Bob"]
    # Each cash sale opened the drawer, recorded with who sold; the card sale did not open it.
    openings = "SELECT reason, staff, order_id FROM drawer_openings ORDER BY created_at, staff"
    assert await rows(shop, openings) == [
        ("sale", "Ann", first.order.id),
        ("sale", "Bob", second.order.id),
    ]
    assert till.printer.drawer_opened == 2
    assert card.order.payments[0].method is PaymentMethod.CARD


async def test_staff_changed_at_the_till_need_a_settings_approval(
    shop: Database, clock: Clock
) -> None:
    await accounts.add_staff(shop, name="Mia", role="manager", pin="8642", params=CHEAP)
    s = StaffSession(shop, clock=clock, params=CHEAP)
    await s.sign_in("Ann", "2468")
    void = await s.approve("void", "Mia", "8642")
    with pytest.raises(StaffError, match="needs a manager's approval"):
        await s.add_member("Cy", "cashier", "9753", void)
    ok = await s.approve("settings", "Mia", "8642", detail="staff")
    assert ok.requested_by == "Ann"
    assert (await s.add_member("Cy", "cashier", "9753", ok)).name == "Cy"
    with pytest.raises(StaffError, match="Ann is signed in"):
        await s.remove_member("ann", ok)
    assert (await s.remove_member("Bob", ok)).name == "Bob"
    assert [m.name for m in await s.who_can_sign_in()] == ["Ann", "Cy", "Mia"]
