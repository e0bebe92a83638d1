"""A discount above the shop's limit needs a manager's PIN at the till: refused without, given
with an approval for this sale, recorded with who approved it; never slipped past by changing
the quantities afterwards."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kiosk.checkout import Checkout
from kiosk.core.discount import Discount
from kiosk.core.money import Money
from kiosk.counter.manager import NeedsManager
from kiosk.counter.session import SaleSession
from kiosk.hardware.fake import FakePrinter
from kiosk.payments.fake import SimulatedReader
from kiosk.staff import accounts, overrides
from kiosk.staff.overrides import Action
from kiosk.store.db import Database
from tests.counter.till import CAP, MUG, stock_shop
from tests.staff.conftest import CHEAP
from tests.store.factory import T0


@pytest.fixture
async def session(db: Database) -> SaleSession:
    await stock_shop(db)
    await accounts.add_staff(db, name="Mia", role="manager", pin="8642", params=CHEAP)
    await accounts.add_staff(db, name="Bob", role="cashier", pin="1357", params=CHEAP)
    checkout = Checkout(db, order_prefix="T1-", cashier="Bob", clock=lambda: T0)
    s = SaleSession(db, checkout, FakePrinter(), SimulatedReader(), discount_limit=Decimal("10"))
    await s.start()
    s.add(MUG, 2)
    s.add(CAP)  # 29.00, prices with tax
    return s


async def test_a_discount_above_the_limit_needs_a_recorded_manager_approval(
    session: SaleSession, db: Database
) -> None:
    session.set_line_discount(0, Discount.percent(5))  # 0.85 of 29.00: within the limit
    with pytest.raises(NeedsManager, match="above the limit of 10% needs a manager's PIN") as need:
        session.set_cart_discount(Discount.percent(15))
    assert need.value.action is Action.DISCOUNT
    assert session.cart.cart_discount is None  # nothing changed
    assert session.cart.totals().total == Money(2815, "EUR")

    # An approval for another sale does not count.
    other = await overrides.approve(
        db, Action.DISCOUNT, manager="Mia", pin="8642", subject="another-cart", params=CHEAP
    )
    with pytest.raises(NeedsManager):
        session.set_cart_discount(Discount.percent(15), other)
    # A cashier's PIN approves nothing.
    with pytest.raises(overrides.NotAManager):
        await overrides.approve(db, Action.DISCOUNT, manager="Bob", pin="1357", params=CHEAP)

    ok = await overrides.approve(
        db,
        Action.DISCOUNT,
        manager="Mia",
        pin="8642",
        requested_by="Bob",
        subject=session.cart.id,
        detail="15% off the sale",
        params=CHEAP,
    )
    session.set_cart_discount(Discount.percent(15), ok)
    assert session.cart.cart_discount == Discount.percent(15)
    session.add_cash(Money(5000, "EUR"))
    done = await session.complete()
    assert done.order.discount_total.minor > 0
    logged = await overrides.list_overrides(db, T0.replace(year=2000))
    mine = [o for o in logged if o.subject == done.order.id]
    assert [(o.approved_by, o.requested_by, o.detail) for o in mine] == [
        ("Mia", "Bob", "15% off the sale")
    ]
    # The next sale starts without the approval.
    session.add(MUG)
    with pytest.raises(NeedsManager):
        session.set_cart_discount(Discount.percent(15))


async def test_lowering_a_quantity_after_a_discount_is_caught_before_money_moves(
    session: SaleSession,
) -> None:
    session.set_cart_discount(Discount.fixed(Money(290, "EUR")))  # exactly 10% of 29.00
    session.set_quantity(0, 1)  # now 2.90 of 20.50: more than 10%
    with pytest.raises(NeedsManager):
        session.add_cash(Money(5000, "EUR"))
    with pytest.raises(NeedsManager):
        await session.pay_card()
    assert session.tenders == ()
