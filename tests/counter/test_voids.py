"""Voids need a manager once the device has staff: taking off a line rung up before the last
(or fewer of it) is refused without a VOID approval for the sale; correcting the last scan is
not."""

from __future__ import annotations

import pytest

from kiosk.checkout import Checkout
from kiosk.counter.manager import NeedsManager
from kiosk.counter.session import SaleSession
from kiosk.hardware.fake import FakePrinter
from kiosk.payments.fake import SimulatedReader
from kiosk.staff import accounts, overrides
from kiosk.staff.overrides import Action
from kiosk.store.db import Database
from tests.counter.till import CAP, MUG, rows
from tests.staff.conftest import CHEAP
from tests.store.factory import T0


async def _session(db: Database, *, voids: bool = True) -> SaleSession:
    checkout = Checkout(db, order_prefix="T1-", cashier="ann", clock=lambda: T0)
    s = SaleSession(db, checkout, FakePrinter(), SimulatedReader(), voids_need_manager=voids)
    await s.start()
    return s


async def test_the_last_scan_is_corrected_freely_an_earlier_line_needs_a_manager(
    shop: Database,
) -> None:
    s = await _session(shop)
    s.add(MUG, 2)
    s.add(CAP)
    s.step_quantity(1, -1)  # the cap just scanned: a correction, not a void
    assert [li.product.name for li in s.cart.lines] == ["Blue mug"]
    s.add(CAP)
    with pytest.raises(NeedsManager, match="Taking Blue mug off the sale needs a manager's PIN"):
        s.remove(0)
    with pytest.raises(NeedsManager):
        s.step_quantity(0, -1)  # one mug fewer is a void too
    assert [(li.product.name, li.quantity) for li in s.cart.lines] == [("Blue mug", 2), ("Cap", 1)]
    s.step_quantity(0, +1)  # more is never a void

    await accounts.add_staff(shop, name="Mia", role="manager", pin="4821", params=CHEAP, now=T0)
    approval = await overrides.approve(
        shop, Action.VOID, manager="Mia", pin="4821", subject=s.cart.id, now=T0, params=CHEAP
    )
    s.remove(0, approval)
    assert [li.product.name for li in s.cart.lines] == ["Cap"]
    assert await rows(shop, "SELECT action, approved_by, subject FROM staff_overrides") == [
        ("void", "Mia", s.cart.id)
    ]


async def test_an_approval_for_another_sale_or_action_does_not_void(shop: Database) -> None:
    s = await _session(shop)
    s.add(MUG)
    s.add(CAP)
    await accounts.add_staff(shop, name="Mia", role="manager", pin="4821", params=CHEAP, now=T0)
    discount = await overrides.approve(
        shop, Action.DISCOUNT, manager="Mia", pin="4821", subject=s.cart.id, now=T0, params=CHEAP
    )
    with pytest.raises(NeedsManager):
        s.remove(0, discount)
    other = await overrides.approve(
        shop, Action.VOID, manager="Mia", pin="4821", subject="another-sale", now=T0, params=CHEAP
    )
    with pytest.raises(NeedsManager):
        s.remove(0, other)


async def test_without_staff_nothing_needs_a_manager(shop: Database) -> None:
    s = await _session(shop, voids=False)
    s.add(MUG)
    s.add(CAP)
    s.remove(0)
    assert [li.product.name for li in s.cart.lines] == ["Cap"]
