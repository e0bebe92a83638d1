"""Returns at the counter: lines chosen, the amount to the cent, a manager's approval, once."""

from __future__ import annotations

import pytest

from kiosk.core.models import PaymentMethod
from kiosk.core.refund_calc import RefundError
from kiosk.counter.manager import NeedsManager
from kiosk.counter.returns_desk import ReturnsDesk
from kiosk.hardware.fake import FakePrinter
from kiosk.staff import accounts, overrides
from kiosk.staff.overrides import Action, Approval
from kiosk.store.db import Database
from tests.counter.till import CAP, MUG, make_till, rows
from tests.staff.conftest import CHEAP
from tests.store.factory import T0, eur


async def _cash_sale(db: Database) -> str:
    till = await make_till(db)
    till.session.add(MUG, 2)
    till.session.add(CAP)
    till.session.add_cash(eur(2900))
    return (await till.session.complete()).order.id


async def _approval(db: Database, subject: str) -> Approval:
    await accounts.add_staff(db, name="Mia", role="manager", pin="4821", params=CHEAP, now=T0)
    return await overrides.approve(
        db, Action.REFUND, manager="Mia", pin="4821", subject=subject, now=T0, params=CHEAP
    )


async def test_one_mug_back_in_cash_with_a_managers_pin_once(shop: Database) -> None:
    order_id = await _cash_sale(shop)
    printer = FakePrinter()
    desk = ReturnsDesk(shop, now=lambda: T0, staff=lambda: "ann", drawer_of=printer)
    draft = await desk.start(order_id)
    assert [(li.name, li.sold, li.left) for li in draft.lines] == [
        ("Blue mug", 2, 2),
        ("Cap", 1, 1),
    ]
    mug = draft.lines[0].line_no
    draft.step(mug, 1)
    draft.step(mug, 5)  # never more than is left
    assert draft.chosen == {mug: 2}
    draft.step(mug, -1)
    amount = await desk.amount(draft)
    assert amount == eur(850)  # prices include tax: what the mug cost
    assert desk.methods(draft, amount) == [PaymentMethod.CASH]  # paid in cash: cash back

    with pytest.raises(NeedsManager, match="needs a manager's PIN"):
        await desk.commit(draft, PaymentMethod.CASH, approval=None)
    approval = await _approval(shop, draft.refund_id)
    told = await desk.commit(draft, PaymentMethod.CASH, approval=approval)
    assert told.message == "Hand back 8,50\xa0€ in cash"
    again = await desk.commit(draft, PaymentMethod.CASH, approval=approval)  # a double tap
    assert again.message == told.message
    assert await rows(shop, "SELECT amount, method, staff FROM refunds") == [(850, "cash", "ann")]
    sql = "SELECT reason, staff, order_id FROM drawer_openings WHERE reason = 'refund'"
    assert await rows(shop, sql) == [("refund", "ann", order_id)]
    assert printer.drawer_opened == 1  # the desk's own printer: the refund's opening only

    # What is left: one mug and the cap; an approval for another return does not do.
    second = await desk.start(order_id)
    assert [li.left for li in second.lines] == [1, 1]
    second.choose_all()
    assert await desk.amount(second) == eur(2050)
    with pytest.raises(NeedsManager, match="another refund"):
        await desk.commit(second, PaymentMethod.CASH, approval=approval)


async def test_a_card_sale_may_go_back_to_the_card_up_to_what_it_charged(shop: Database) -> None:
    till = await make_till(shop)
    till.session.add(MUG)
    till.reader.approve_next()
    await till.session.pay_card()
    order_id = (await till.session.complete()).order.id
    desk = ReturnsDesk(shop, now=lambda: T0)
    draft = await desk.start(order_id)
    draft.choose_all()
    amount = await desk.amount(draft)
    assert desk.methods(draft, amount) == [PaymentMethod.CARD, PaymentMethod.CASH]
    told = await desk.commit(
        draft, PaymentMethod.CARD, approval=await _approval(shop, draft.refund_id)
    )
    assert "to the card" in told.message
    with pytest.raises(RefundError, match="refunded already"):
        await desk.start(order_id)


async def test_nothing_chosen_is_refused_in_words(shop: Database) -> None:
    desk = ReturnsDesk(shop, now=lambda: T0)
    draft = await desk.start(await _cash_sale(shop))
    assert await desk.amount(draft) == eur(0)
    with pytest.raises(RefundError, match="choose what comes back"):
        await desk.commit(draft, PaymentMethod.CASH, approval=None)
    with pytest.raises(RefundError, match="not on this till"):
        await desk.start("no-such-order")
