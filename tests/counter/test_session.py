"""SaleSession on real parts: the cart, parking, who hears of changes (payments: *_pay.py)."""

from __future__ import annotations

import pytest

from kiosk.checkout import UnknownCode
from kiosk.core.cart import CartError
from kiosk.core.discount import Discount
from kiosk.counter.session import Scanned
from kiosk.store import parked
from tests.counter.till import ANN, CAP, MUG, TEE, Till, fill
from tests.store.factory import T0, eur

# -- the cart ---------------------------------------------------------------------------------


async def test_scan_adds_simple_products_and_leaves_variable_ones_to_choose(till: Till) -> None:
    s = till.session
    assert await s.scan("4000000000017") == Scanned(MUG, added=True)
    assert await s.scan(" CAP-1 ") == Scanned(CAP, added=True)
    assert [(ln.product.id, ln.quantity) for ln in s.cart.lines] == [("p1", 1), ("p3", 1)]
    before = s.cart.lines
    tee = await s.scan("TEE")
    assert tee == Scanned(TEE, added=False)
    assert s.cart.lines == before
    assert [v.id for v in await s.variations(tee.product)] == ["p2m"]
    with pytest.raises(UnknownCode, match="NOPE"):
        await s.scan("NOPE")
    assert s.cart.lines == before
    assert s.cart.totals().total == eur(2050)


async def test_quantities_remove_and_discounts_change_the_totals(till: Till) -> None:
    s = till.session
    await fill(s)
    s.set_quantity(0, 3)
    assert s.cart.totals().total == eur(3 * 850 + 1200)
    s.step_quantity(1, +1)
    assert [ln.quantity for ln in s.cart.lines] == [3, 2]
    s.step_quantity(1, -1)
    s.step_quantity(1, -1)  # down from 1: the cap's line goes
    assert [ln.product.id for ln in s.cart.lines] == ["p1"]
    s.add(CAP)
    s.remove(0)
    assert [ln.product.id for ln in s.cart.lines] == ["p3"]
    s.add(MUG, 2)  # 1200 + 1700
    s.set_line_discount(1, Discount.percent(10))  # 170 off the mugs
    assert s.cart.totals().total == eur(2730)
    s.set_cart_discount(Discount.fixed(eur(130)))
    assert s.cart.totals().total == eur(2600)
    assert s.due() == eur(2600)
    s.set_line_discount(1, None)
    s.set_cart_discount(None)
    assert s.cart.totals().total == eur(2900)


async def test_customers_are_found_and_attached(till: Till) -> None:
    s = till.session
    assert await s.find_customers("   ") == []
    assert await s.find_customers("ann@") == [ANN]
    s.attach_customer(ANN)
    assert (s.customer, s.cart.customer_id) == (ANN, "c7")
    s.attach_customer(None)
    assert (s.customer, s.cart.customer_id) == (None, None)


# -- parking ----------------------------------------------------------------------------------


async def test_park_then_resume_brings_back_the_same_sale(till: Till) -> None:
    s = till.session
    await fill(s)
    s.attach_customer(ANN)
    sale_id = s.cart.id
    kept = await s.park()
    assert kept == parked.ParkedCart(sale_id, "Ann Smith", T0, 3, eur(2900))
    assert (s.cart.id != sale_id, s.cart.is_empty, s.customer) == (True, True, None)
    assert await s.parked() == [kept]

    assert await s.resume(sale_id) == []
    assert s.cart.id == sale_id
    assert s.customer == ANN
    assert [(ln.product.id, ln.quantity) for ln in s.cart.lines] == [("p1", 2), ("p3", 1)]
    assert await s.parked() == []
    with pytest.raises(CartError):
        await s.resume(sale_id)


async def test_resume_refuses_over_a_cart_with_lines_and_twice(till: Till) -> None:
    s = till.session
    s.add(CAP)
    sale_id = s.cart.id
    await s.park("  window  ")
    s.add(MUG)
    with pytest.raises(CartError, match="finish or park"):
        await s.resume(sale_id)
    assert len(await s.parked()) == 1  # still parked: the refusal took nothing
    s.remove(0)
    await s.resume(sale_id)
    s.remove(0)
    with pytest.raises(CartError, match="no longer parked"):
        await s.resume(sale_id)


async def test_watch_is_called_after_changes(till: Till) -> None:
    s = till.session
    calls: list[int] = []
    s.watch(lambda: calls.append(len(s.cart.lines)))
    await s.scan("MUG-1")
    s.add(CAP)
    s.step_quantity(1, -1)
    assert calls == [1, 2, 1]
    s.add_cash(eur(850))
    await s.complete()
    assert calls[-1] == 0  # the new, empty sale was shown
    assert len(calls) == 5
