"""One till's sale in progress: the cart, its customer, its tenders, and what follows payment.

The touchscreen is a thin view over this class; everything a cashier can do is a method here, so
the sale logic is tested without a screen. Payment contract: a sale is committed (one durable
transaction) before its receipt prints or the drawer opens, and completing the same cart twice (a
double tap on Pay) sells it once; a card is charged under the key "<order id>:card:<n>", where each
attempt is recorded before the reader is asked (kiosk.store.card_attempts), so a retry of the same
attempt never charges twice and a finished attempt (a decline) never blocks the next one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from decimal import Decimal

from kiosk.checkout import BadScan, Checkout, UnknownCode
from kiosk.core import cart_snapshot
from kiosk.core.cart import Cart, CartError
from kiosk.core.discount import Discount
from kiosk.core.models import CardResult, Customer, Order, PaymentMethod, Product, ProductKind
from kiosk.core.money import Money
from kiosk.core.receipt import Receipt, build_receipt, device_zone
from kiosk.core.tender import Tender, settle
from kiosk.counter import manager
from kiosk.counter import outcome as told
from kiosk.counter.outcome import Completed, LeftPayment, Outcome, Scanned
from kiosk.hardware.base import PrinterError, ReceiptPrinter
from kiosk.payments.base import (
    OFFLINE_DETAIL,
    CardReader,
    PaymentUnknown,
    ReaderError,
    ReaderFault,
    ReaderState,
    ReaderStatus,
)
from kiosk.staff import drawer
from kiosk.staff.overrides import Approval
from kiosk.store import card_attempts, catalog, outbox, parked
from kiosk.store.db import Database

log = logging.getLogger(__name__)

__all__ = ["Completed", "LeftPayment", "Outcome", "SaleSession", "Scanned"]


class SaleSession:
    """The till's one open sale; `changed()` is called after every change the screen must show."""

    def __init__(
        self,
        db: Database,
        checkout: Checkout,
        printer: ReceiptPrinter,
        reader: CardReader,
        *,
        is_offline: Callable[[], bool] = lambda: False,
        receipt_width: int = 48,
        receipt_header: Sequence[str] = (),
        receipt_footer: Sequence[str] = (),
        changed: Callable[[], None] = lambda: None,
        discount_limit: Decimal | None = None,
        voids_need_manager: bool = False,
    ) -> None:
        self._db = db
        # With staff on the device, taking off a line rung up before the last one is a void.
        self._voids_need_manager = voids_need_manager
        self._last_added: int | None = None  # the line the last scan or tap went to
        self._void_approval: Approval | None = None
        # More discount than this share of the sale needs a manager (None: no limit).
        self._discount_limit = discount_limit
        self._approval: Approval | None = None
        self._checkout = checkout
        self._printer = printer
        self._reader = reader
        self._is_offline = is_offline
        self._width = receipt_width
        self._header, self._footer = tuple(receipt_header), tuple(receipt_footer)
        self._changed = changed
        self._cart: Cart | None = None
        self._customer: Customer | None = None
        self._tenders: list[Tender] = []
        self._lock = asyncio.Lock()  # payments and completion, one at a time
        # A card payment whose outcome never came back: the card may have been charged, so no
        # cash is taken and the sale is not left until charging it again has said what happened.
        self._unconfirmed = False
        self.last: Completed | None = None

    def watch(self, changed: Callable[[], None]) -> None:
        """Call `changed()` after every change from now on (the screen redraws)."""
        self._changed = changed

    # -- the cart -------------------------------------------------------------------------------

    @property
    def cart(self) -> Cart:
        if self._cart is None:
            raise RuntimeError("the session has not started: await start() first")
        return self._cart

    @property
    def customer(self) -> Customer | None:
        return self._customer

    async def start(self) -> None:
        """A fresh cart (and order id), no customer, no tenders."""
        self._cart = await self._checkout.start()
        self._approval = None
        self._void_approval, self._last_added = None, None
        self._customer = None
        self._tenders = []
        self._changed()

    async def scan(self, code: str) -> Scanned:
        """Add the product with this barcode or SKU, at the price or weight a variable-measure
        label carries; raises UnknownCode (BadScan for a misread) or CartError, leaving the cart
        as is."""
        found = await self._checkout.lookup_scan(code)
        product = found.product
        if found.price is None and found.weight_g is None:
            if product.kind is ProductKind.VARIABLE:
                return Scanned(product, added=False)
            self.add(product)
            return Scanned(product, added=True)
        # A label's price is for this product as scanned: never offered as a variation choice,
        # which would sell at the catalog price (the cart refuses a variable product instead).
        index = self.add(product, unit_price=found.price, weight_g=found.weight_g)
        line = self.cart.lines[index]
        return Scanned(product, added=True, price=line.price, weight_g=line.weight_g)

    async def scan_code(self, code: str) -> Outcome:
        """A scan as the cashier is told of it: a code that is unknown or misread, or a line the
        cart refuses, warns and leaves the cart as it was (never raises for them)."""
        try:
            found = await self.scan(code)
        except BadScan as exc:  # a check digit failed: never guess which product was meant
            return Outcome(told.first_up(str(exc)), warn=True)
        except UnknownCode:
            return Outcome(f"Unknown barcode {code}: nothing was added", warn=True)
        except CartError as exc:
            return Outcome(str(exc), warn=True)
        return told.scanned(found)

    def add_tapped(self, product: Product) -> Outcome:
        """A product tapped (a tile, a variation picked): added, or a variable one to choose."""
        if product.kind is ProductKind.VARIABLE:
            return Outcome(choose=product)
        try:
            self.add(product)
        except CartError as exc:
            return Outcome(str(exc), warn=True)
        return told.added(product)

    def add(
        self,
        product: Product,
        quantity: int = 1,
        *,
        unit_price: Money | None = None,
        weight_g: int | None = None,
    ) -> int:
        """Add to the cart (a label's price or weight as Cart.add takes them); the line's index."""
        self._editable()
        index = self.cart.add(product, quantity, unit_price=unit_price, weight_g=weight_g)
        self._last_added = index
        self._changed()
        return index

    async def variations(self, parent: Product) -> list[Product]:
        return await catalog.variations_of(self._db, parent.id)

    def set_quantity(self, index: int, quantity: int, approval: Approval | None = None) -> None:
        """Fewer than there were is a void (see remove); raises NeedsManager without one."""
        self._editable()
        if quantity < self.cart.lines[index].quantity:
            self._void_checked(index, approval)
        if quantity <= 0:
            self._removed(index)
        self.cart.set_quantity(index, quantity)
        self._changed()

    def step_quantity(self, index: int, step: int, approval: Approval | None = None) -> None:
        """+1 / -1 from the cart's buttons; down from 1 removes the line."""
        line = self.cart.lines[index]
        self.set_quantity(index, max(0, line.quantity + step), approval)

    def remove(self, index: int, approval: Approval | None = None) -> None:
        """Take a line off the sale. With voids needing a manager, any line but the one rung up
        last needs a VOID approval for this sale: NeedsManager, the line left as it was."""
        self._editable()
        self._void_checked(index, approval)
        self._removed(index)
        self.cart.remove(index)
        self._changed()

    def _void_checked(self, index: int, approval: Approval | None) -> None:
        if not self._voids_need_manager:
            return
        manager.check_void(self.cart, index, self._last_added, approval or self._void_approval)
        if approval is not None:
            self._void_approval = approval

    def _removed(self, index: int) -> None:
        """Line `index` goes: the last one rung up moves down with the lines after it."""
        if self._last_added is None:
            return
        if index == self._last_added:
            self._last_added = None
        elif index < self._last_added:
            self._last_added -= 1

    def set_line_discount(
        self, index: int, discount: Discount | None, approval: Approval | None = None
    ) -> None:
        """Raises NeedsManager (the line unchanged) when the sale's discounts would go above
        the limit without a manager's `approval` for this sale."""
        self._editable()
        before = self.cart.lines[index].discount
        self.cart.set_line_discount(index, discount)
        self._guard(approval, lambda: self.cart.set_line_discount(index, before))
        self._changed()

    def set_cart_discount(
        self, discount: Discount | None, approval: Approval | None = None
    ) -> None:
        """As set_line_discount, for a discount on the whole sale."""
        self._editable()
        before = self.cart.cart_discount
        self.cart.set_cart_discount(discount)
        self._guard(approval, lambda: self.cart.set_cart_discount(before))
        self._changed()

    def _guard(self, approval: Approval | None, undo: Callable[[], None]) -> None:
        try:
            manager.check_discount(self.cart, self._discount_limit, approval or self._approval)
        except manager.NeedsManager:
            undo()
            raise
        if approval is not None:
            self._approval = approval

    def _discount_checked(self) -> None:
        """Before any money is taken: a quantity lowered after a discount, or a parked sale
        resumed, can leave more discount than the limit without an approval."""
        manager.check_discount(self.cart, self._discount_limit, self._approval)

    def attach_customer(self, customer: Customer | None) -> None:
        self._editable()
        self.cart.set_customer(customer.id if customer else None)
        self._customer = customer
        self._changed()

    async def find_customers(self, text: str) -> list[Customer]:
        return await catalog.search_customers(self._db, text) if text.strip() else []

    def _editable(self) -> None:
        if self._lock.locked():
            raise CartError("a payment is in progress: wait for it before changing the sale")
        if self._tenders:
            raise CartError("a payment has been taken: finish the sale before changing the cart")

    # -- parking --------------------------------------------------------------------------------

    async def park(self, label: str = "") -> parked.ParkedCart:
        """Put the sale aside (durably) and start a new one."""
        self._editable()
        # Named so the cashier knows it again: the customer, else what is in it.
        first = self.cart.lines[0].product.name if self.cart.lines else ""
        name = label.strip() or (self._customer.display_name if self._customer else first)
        saved = await parked.park(self._db, self.cart, label=name, now=self._checkout.now())
        await self.start()
        return saved

    async def park_sale(self) -> Outcome:
        """Park, as the cashier is told of it."""
        if self.cart.is_empty:
            return Outcome("There is nothing to park", warn=True)
        try:
            saved = await self.park()
        except CartError as exc:
            return Outcome(str(exc), warn=True)
        return Outcome(f"Parked the sale ({told.items(saved.item_count)}): tap Parked to resume it")

    async def parked(self) -> list[parked.ParkedCart]:
        return await parked.list_parked(self._db)

    async def resume(self, cart_id: str) -> list[str]:
        """Bring a parked sale back; returns what could not come back, for the cashier."""
        if self._cart is not None and not self.cart.is_empty:
            raise CartError("finish or park the current sale before resuming another")
        data = await parked.take(self._db, cart_id)
        if data is None:
            raise CartError("that sale is no longer parked (another till may have resumed it)")
        products = await parked.products_for(self._db, data)
        p = await self._checkout.pricing()
        cart, dropped = cart_snapshot.restore(data, p.settings, p.tax_rates, products)
        self._cart, self._tenders = cart, []
        # A resumed sale's lines were all rung up earlier: taking any off is a void.
        self._void_approval, self._last_added = None, None
        self._customer = None
        if cart.customer_id:
            found = await catalog.get_customer(self._db, cart.customer_id)
            self._customer = found
        self._changed()
        return dropped

    async def resume_sale(self, cart_id: str) -> Outcome:
        """Resume, as the cashier is told of it: what did not come back warns."""
        try:
            dropped = await self.resume(cart_id)
        except CartError as exc:
            return Outcome(str(exc), warn=True)
        return Outcome(" ".join(dropped) or "Resumed the parked sale", warn=bool(dropped))

    # -- payment --------------------------------------------------------------------------------

    @property
    def tenders(self) -> tuple[Tender, ...]:
        return tuple(self._tenders)

    def paid(self) -> Money:
        return Money(sum(t.amount.minor for t in self._tenders), self.cart.currency)

    def due(self) -> Money:
        """What is still to pay (never below zero: cash over the total is change)."""
        left = self.cart.totals().total - self.paid()
        return left if left.minor > 0 else Money.zero(self.cart.currency)

    async def card_status(self) -> ReaderStatus:
        """Whether a card can be taken now, and if not, why: offline means cash only."""
        if self._is_offline():
            return ReaderStatus(ReaderState.OFFLINE, OFFLINE_DETAIL)
        return await self._reader.status()

    async def pay_card(self, amount: Money | None = None) -> CardResult:
        """Charge `amount` (default: all that is due) to a card; an approval becomes a tender."""
        async with self._lock:
            if amount is None:
                amount = self.due()
            if amount.minor <= 0:
                raise CartError("nothing is left to pay")
            if amount > self.due():
                raise CartError(f"a card can pay at most {self._fmt(self.due())} of this sale")
            self._discount_checked()
            if self._is_offline():
                raise ReaderError(OFFLINE_DETAIL, ReaderFault.NO_INTERNET)
            attempt = await card_attempts.begin(
                self._db, self.cart.id, amount, now=self._checkout.now()
            )
            # An attempt whose outcome never came back is asked again under its own key and
            # amount: the reader then answers with what happened, and charges nothing more.
            try:
                result = await self._reader.charge(attempt.key, attempt.amount)
            except ReaderError as exc:  # the reader could not even try: nothing was charged
                self._unconfirmed = False
                failed = CardResult(False, attempt.amount, message=str(exc))
                await card_attempts.finish(self._db, attempt, failed)
                raise
            except PaymentUnknown:
                self._unconfirmed = True  # the attempt stays open, under its key
                self._changed()
                raise
            self._unconfirmed = False
            await card_attempts.finish(self._db, attempt, result)
            if result.approved:
                self._tenders.append(
                    Tender(
                        PaymentMethod.CARD,
                        result.amount,
                        reference=result.reference,
                        card_brand=result.card_brand,
                        card_last4=result.card_last4,
                        entry_mode=result.entry_mode,
                        auth_code=result.auth_code,
                    )
                )
            self._changed()
            return result

    async def cancel_card(self) -> None:
        """Staff's cancel: the reader stops waiting for the card (the payment ends cancelled)."""
        await self._reader.cancel()

    def add_cash(self, amount: Money) -> None:
        """Cash handed over; more than is due becomes change when the sale completes."""
        if self._lock.locked():
            raise CartError("a payment is in progress: wait for it before taking cash")
        if self._unconfirmed:
            raise CartError(told.UNCONFIRMED)
        if amount.minor <= 0:
            raise CartError("enter the cash the customer handed over")
        if self.settled():
            raise CartError("this sale is already paid")
        self._discount_checked()
        self._tenders.append(Tender(PaymentMethod.CASH, amount))
        self._changed()

    @property
    def unconfirmed(self) -> bool:
        """A card payment's outcome is not known yet: only checking it again goes on."""
        return self._unconfirmed

    def settled(self) -> bool:
        return not self.cart.is_empty and self.paid() >= self.cart.totals().total

    async def complete(self) -> Completed:
        """Commit the paid sale, then print and open the drawer, then start the next sale.

        Raises PaymentError while the tenders do not cover the total. A second call for a sale
        already completed returns the same result without selling again.
        """
        cart = self.cart  # before waiting: a second tap means this sale, not the next one
        async with self._lock:
            if self.last is not None and self.last.order.id == cart.id:
                return self.last
            settle(cart.totals().total, self._tenders, locale=cart.settings.locale)  # or raise
            order = await self._checkout.complete(cart, self._tenders, offline=self._is_offline())
            receipt = build_receipt(
                order,
                cart.settings,
                width=self._width,
                header=self._header,
                footer=self._footer,
                timezone=device_zone(),
            )
            change = sum((p.change for p in order.payments), Money.zero(order.currency))
            problem = await self._after_commit(order, receipt)
            self.last = Completed(order, receipt, change, problem)
            await self.start()
            return self.last

    async def _after_commit(self, order: Order, receipt: Receipt) -> str:
        """Receipt and drawer: their failures are told to the cashier, never undo the sale."""
        failed: list[tuple[str, str]] = []  # (what did not happen, the printer's reason)
        try:
            await self._printer.print_receipt(receipt)
        except PrinterError as exc:
            log.warning("order %s: receipt not printed: %s", order.number, exc)
            failed.append(("the receipt did not print", str(exc)))
        if any(p.method is PaymentMethod.CASH for p in order.payments):
            try:  # recorded with who sold: every opening of the drawer says who and why
                await drawer.open_drawer(
                    self._db,
                    self._printer,
                    drawer.Reason.SALE,
                    staff=order.cashier,
                    order_id=order.id,
                    now=self._checkout.now(),
                )
            except PrinterError as exc:
                log.warning("order %s: drawer did not open: %s", order.number, exc)
                failed.append(("the drawer did not open", str(exc)))
        return told.printer_problem(failed)

    async def reprint(self) -> None:
        """Print the last sale's receipt again (raises PrinterError)."""
        if self.last is None:
            raise CartError("there is no receipt to print yet")
        await self._printer.print_receipt(self.last.receipt)

    def cancel_payment(self) -> Sequence[Tender]:
        """Back to the cart from the pay screen; only cash (in the drawer) can be handed back."""
        if any(t.method is PaymentMethod.CARD for t in self._tenders):
            raise CartError("a card was charged: complete the sale (or refund it in the store)")
        taken, self._tenders = self._tenders, []
        self._changed()
        return taken

    def leave_payment(self) -> LeftPayment:
        """Back to the cart from paying: refused while a payment is being taken or once a card
        was charged (that sale must finish); otherwise the cash taken is to be handed back."""
        none = Money.zero(self.cart.currency)
        if self._lock.locked():  # the reader or the commit may still turn this into a sale
            return LeftPayment(False, told.IN_PROGRESS, none)
        if self._unconfirmed:
            return LeftPayment(False, told.UNCONFIRMED, none)
        if any(t.method is PaymentMethod.CARD for t in self._tenders):
            return LeftPayment(False, told.CARD_CHARGED, none)
        cash = sum((t.amount for t in self.cancel_payment()), none)
        if not cash.minor:
            return LeftPayment(True, "", cash)
        return LeftPayment(True, f"Hand back {self._fmt(cash)}", cash, told.BACK_IN_CART)

    # -- after the sale -------------------------------------------------------------------------

    async def retry_upload(self, order_id: str, number: str) -> Outcome:
        """Staff's Retry of an order the store refused: it is queued to upload again, now."""
        try:
            await outbox.retry(self._db, order_id, self._checkout.now())
        except outbox.InvalidTransition:  # retried already: a second tap, or `kiosk orders`
            return Outcome(f"Order {number} is no longer waiting for a retry", warn=True)
        return Outcome("The order is queued to upload again")

    def _fmt(self, amount: Money) -> str:
        return amount.format(self.cart.settings.locale)
