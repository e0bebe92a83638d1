"""The Orders screen's desk: past sales found and told in words, reprinted, retried.

The screen shows what these return and decides nothing. A row says where the sale is on its way
to the store in the cashier's words; a failed one carries the store's reason and a Retry.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from kiosk.core.models import Order, Payment, PaymentMethod, ShopSettings
from kiosk.core.money import Money
from kiosk.core.receipt import build_receipt, device_zone
from kiosk.counter.outcome import Outcome, items
from kiosk.hardware.base import PrinterError, ReceiptPrinter
from kiosk.store import catalog, orders, outbox
from kiosk.store.db import Database
from kiosk.store.order_search import search_orders
from kiosk.store.outbox import OutboxItem, OutboxState

log = logging.getLogger(__name__)

STATE_WORDS = {
    OutboxState.SYNCED: "Uploaded",
    OutboxState.PENDING_SYNC: "Waiting to upload",
    OutboxState.SYNCING: "Uploading…",
    OutboxState.FAILED: "Refused by the store",
}


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One sale as the list shows it."""

    order_id: str
    number: str
    summary: str  # "14:02 · 3 items · €29.00 · card"
    state: str  # "Uploaded", "Waiting to upload", "Refused by the store"
    failed: bool
    reason: str = ""  # the store's words, for a refused one


@dataclass(frozen=True, slots=True)
class OrderDetail:
    row: OrderRow
    lines: tuple[str, ...]  # "2 × Blue mug · €17.00"
    payments: tuple[str, ...]  # "Card Visa •••• 4242 · €12.00"
    totals: tuple[str, ...]  # "Tax €4.63", "Total €29.00"


@dataclass(frozen=True, slots=True)
class ReceiptLayout:
    width: int = 48
    header: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()


class OrdersDesk:
    def __init__(
        self,
        db: Database,
        printer: ReceiptPrinter,
        *,
        layout: ReceiptLayout = ReceiptLayout(),
        now: Callable[[], datetime],
        zone: Callable[[], tzinfo] = device_zone,
    ) -> None:
        self._db, self._printer, self._layout = db, printer, layout
        self._now, self._zone = now, zone

    async def find(self, text: str = "", *, limit: int = 50) -> list[OrderRow]:
        """Sales matching `text` (a number, a customer, an amount such as 12.50); all if empty."""
        settings = await self._settings()
        amount: int | None = None
        with contextlib.suppress(ValueError):  # not an amount: a number or a name only
            amount = Money.parse(text.strip().replace(",", "."), settings.currency).minor
        found = await search_orders(self._db, text, amount_minor=amount, limit=limit)
        return [self._row(item, settings) for item in found]

    async def detail(self, order_id: str) -> OrderDetail | None:
        settings = await self._settings()
        found = await orders.get_order(self._db, order_id)
        if found is None:
            return None
        o, fmt = found.order, _formatter(settings)
        # As the shop lists prices: with their tax where prices include it.
        lines = tuple(
            f"{line.quantity} × {line.name} · "
            + fmt(line.total + line.total_tax if o.prices_include_tax else line.total)
            for line in o.lines
        )
        paid = tuple(_payment_words(p, fmt) for p in o.payments)
        totals = (f"Tax {fmt(o.tax_total)}", f"Total {fmt(o.total)}")
        return OrderDetail(self._row(found, settings), lines, paid, totals)

    async def reprint(self, order_id: str) -> Outcome:
        """The sale's receipt again, marked NOT YET SYNCED while the store lacks it."""
        settings = await self._settings()
        found = await orders.get_order(self._db, order_id)
        if found is None:
            return Outcome("That order is not on this till", warn=True)
        receipt = build_receipt(
            found.order,
            settings,
            width=self._layout.width,
            header=self._layout.header,
            footer=self._layout.footer,
            timezone=self._zone(),
            unsynced=found.state is not OutboxState.SYNCED,
        )
        try:
            await self._printer.print_receipt(receipt)
        except PrinterError as exc:
            log.warning("order %s: receipt not printed again: %s", found.order.number, exc)
            return Outcome(f"The receipt did not print: {exc}", warn=True)
        return Outcome(f"Printed the receipt of order {found.order.number} again")

    async def retry(self, order_id: str, number: str) -> Outcome:
        """Staff's Retry of a refused order: queued to upload again, now."""
        try:
            await outbox.retry(self._db, order_id, self._now())
        except outbox.InvalidTransition:  # a second tap, or `kiosk orders retry` meanwhile
            return Outcome(f"Order {number} is no longer waiting for a retry", warn=True)
        return Outcome(f"Order {number} is queued to upload again")

    # -- inside ---------------------------------------------------------------------------------

    async def _settings(self) -> ShopSettings:
        return await catalog.load_shop_settings(self._db) or ShopSettings(currency="EUR")

    def _row(self, item: OutboxItem, settings: ShopSettings) -> OrderRow:
        o = item.order
        fmt = _formatter(settings)
        count = sum(line.quantity for line in o.lines)
        parts = (self._when(o), items(count), fmt(o.total), _tenders(o.payments))
        failed = item.state is OutboxState.FAILED
        return OrderRow(
            o.id,
            o.number,
            " · ".join(p for p in parts if p),
            STATE_WORDS[item.state],
            failed,
            item.last_error if failed else "",
        )

    def _when(self, o: Order) -> str:
        zone = self._zone()
        sold, today = o.created_at.astimezone(zone), self._now().astimezone(zone)
        return (
            sold.strftime("%H:%M") if sold.date() == today.date() else sold.strftime("%d %b %H:%M")
        )


def _formatter(settings: ShopSettings) -> Callable[[Money], str]:
    return lambda m: m.format(settings.locale)


def _tenders(payments: Sequence[Payment]) -> str:
    return " + ".join(p.method.value for p in payments)


def _payment_words(p: Payment, fmt: Callable[[Money], str]) -> str:
    if p.method is PaymentMethod.CARD:
        card = " ".join(
            x for x in (p.card_brand, f"•••• {p.card_last4}" if p.card_last4 else "") if x
        )
        return f"Card {card} · {fmt(p.amount)}".replace("Card  ·", "Card ·")
    if p.method is PaymentMethod.CASH and p.change.minor:
        return f"Cash · {fmt(p.amount)} (handed {fmt(p.tendered)}, change {fmt(p.change)})"
    return f"{p.method.value.title()} · {fmt(p.amount)}"
