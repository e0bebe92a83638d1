"""The Returns screen's desk: which lines come back, how much, to cash or the card, and the
manager's approval every refund needs.

A return has its own UUID, minted when staff start it (ReturnDraft.refund_id): committing the
same draft twice (a double tap) makes one refund. The money goes back at once for cash (the
drawer opens, recorded); to the card and to the store through the outbox, exactly once
(kiosk.sync.refund_push).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.core import refund_calc
from kiosk.core.models import Order, PaymentMethod
from kiosk.core.money import Money
from kiosk.core.refund_calc import RefundError
from kiosk.counter.manager import NeedsManager
from kiosk.counter.outcome import Outcome
from kiosk.counter.web_orders import WebOrderFinder, bring_web_order
from kiosk.hardware.base import PrinterError
from kiosk.staff import drawer
from kiosk.staff.overrides import ACTION_WORDS, Action, Approval
from kiosk.store import catalog, orders, refunds
from kiosk.store.db import Database

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ReturnLine:
    line_no: int
    name: str
    sku: str
    sold: int
    left: int  # not refunded yet
    chosen: int = 0


@dataclass(slots=True)
class ReturnDraft:
    """One return being put together; `refund_id` is its idempotency key."""

    order: Order
    lines: list[ReturnLine]
    card_left: Money  # how much more may go back to the card (zero: cash only)
    refund_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    restock: bool = True

    def step(self, line_no: int, by: int) -> None:
        line = next(li for li in self.lines if li.line_no == line_no)
        line.chosen = max(0, min(line.left, line.chosen + by))

    def choose_all(self) -> None:
        for line in self.lines:
            line.chosen = line.left

    @property
    def chosen(self) -> dict[int, int]:
        return {li.line_no: li.chosen for li in self.lines if li.chosen}


class ReturnsDesk:
    def __init__(
        self,
        db: Database,
        *,
        now: Callable[[], datetime],
        staff: Callable[[], str] = lambda: "",
        drawer_of: drawer.Drawer | None = None,
        web_orders: WebOrderFinder | None = None,
    ) -> None:
        self._db, self._now, self._staff, self._drawer = db, now, staff, drawer_of
        self._web_orders = web_orders

    async def web_order(self, number: str) -> str:
        """The id of the web order numbered `number`, brought to the till to be refunded
        (kiosk.counter.web_orders); RefundError says why not, in words."""
        stored = await bring_web_order(self._db, self._web_orders, number)
        return stored.order.id

    async def start(self, order_id: str) -> ReturnDraft:
        """A return of `order_id` with nothing chosen yet; RefundError when nothing is left."""
        stored = await orders.get_order(self._db, order_id)
        if stored is None:
            raise RefundError(f"order {order_id} is not on this till")
        order = stored.order
        earlier = [s.refund for s in await refunds.refunds_of(self._db, order.id)]
        left = refund_calc.left_to_refund(order, earlier)
        lines = [
            ReturnLine(li.line_no, li.name, li.sku, li.quantity, left[li.line_no])
            for li in order.lines
        ]
        if not any(li.left for li in lines):
            raise RefundError(f"everything in order {order.number} has been refunded already")
        return ReturnDraft(order, lines, refund_calc.card_refundable(order, earlier))

    async def amount(self, draft: ReturnDraft) -> Money:
        """What the chosen lines give back, tax included, to the cent (zero: none chosen)."""
        if not draft.chosen:
            return Money.zero(draft.order.currency)
        earlier = [s.refund for s in await refunds.refunds_of(self._db, draft.order.id)]
        given = refund_calc.refund_lines(draft.order, earlier, draft.chosen)
        minor = sum(rl.total.minor + rl.total_tax.minor for rl in given)
        return Money(minor, draft.order.currency)

    def methods(self, draft: ReturnDraft, amount: Money) -> list[PaymentMethod]:
        """Where this much may go back: the card when it paid enough, and always cash."""
        card = amount.minor > 0 and draft.card_left >= amount
        return [PaymentMethod.CARD, PaymentMethod.CASH] if card else [PaymentMethod.CASH]

    async def commit(
        self,
        draft: ReturnDraft,
        method: PaymentMethod,
        *,
        approval: Approval | None,
        reason: str = "",
    ) -> Outcome:
        """Commit the refund (once per draft); raises NeedsManager without a REFUND approval
        for this draft, RefundError naming what is wrong with it."""
        if not draft.chosen:
            raise RefundError("choose what comes back first")
        if approval is None or approval.action is not Action.REFUND:
            raise NeedsManager(Action.REFUND, f"{ACTION_WORDS[Action.REFUND].capitalize()} "
                               "needs a manager's PIN")  # fmt: skip
        if approval.subject != draft.refund_id:
            raise NeedsManager(Action.REFUND, "That approval was for another refund")
        # A second tap on the same return: the refund stands, the drawer is not opened again.
        again = await refunds.get_refund(self._db, draft.refund_id) is not None
        stored = await refunds.make_refund(
            self._db,
            draft.order.id,
            method,
            now=self._now(),
            lines=draft.chosen,
            restock=draft.restock,
            reason=reason or f"approved by {approval.approved_by.name}",
            staff=self._staff(),
            refund_id=draft.refund_id,
        )
        settings = await catalog.load_shop_settings(self._db)
        locale_amount = stored.refund.amount.format(settings.locale if settings else "en_US")
        if method is PaymentMethod.CARD:
            return Outcome(
                f"Refund of {locale_amount} to the card: it goes back to the card, then to the "
                "store, as soon as the till is online"
            )
        problem = "" if again else await self._open_drawer(draft, approval)
        return Outcome(f"Hand back {locale_amount} in cash" + problem, warn=bool(problem))

    async def _open_drawer(self, draft: ReturnDraft, approval: Approval) -> str:
        if self._drawer is None:
            return ""
        try:
            await drawer.open_drawer(
                self._db,
                self._drawer,
                drawer.Reason.REFUND,
                staff=self._staff(),
                order_id=draft.order.id,
                approval=approval,
                now=self._now(),
            )
        except PrinterError as exc:
            log.warning("refund %s: drawer did not open: %s", draft.refund_id, exc)
            return f" (the drawer did not open: {exc})"
        return ""
