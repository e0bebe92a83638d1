"""The sale screen: catalog on the left, the cart on the right, the status bar on top.

It is a thin view: every action calls the SaleSession (or the catalog browser), then the screen
draws what it answers.
"""

from __future__ import annotations

from functools import partial

from kivy.uix.boxlayout import BoxLayout

from kiosk.core.cart import CartError
from kiosk.core.models import Product
from kiosk.counter.manager import NeedsManager
from kiosk.counter.outcome import Completed, LeftPayment, Outcome, change_text, price_text
from kiosk.counter.session import SaleSession
from kiosk.staff.overrides import Action, Approval
from kiosk.ui import theme
from kiosk.ui.screens import dialogs
from kiosk.ui.screens.devices import devices
from kiosk.ui.screens.orders import orders
from kiosk.ui.screens.pay import PaySheet
from kiosk.ui.services import ScreenServices, Spawn
from kiosk.ui.widgets.basics import Panel
from kiosk.ui.widgets.cart_view import CartView
from kiosk.ui.widgets.catalog_view import CatalogView
from kiosk.ui.widgets.status_bar import StatusBar

SEARCH_HINT = "Search products…"


class SaleScreen(Panel):
    def __init__(self, services: ScreenServices, th: theme.Theme) -> None:
        super().__init__(orientation="vertical", fill=theme.BG)
        self.services, self.th = services, th
        self.session: SaleSession = services.session
        self.browser = services.browser(th.page_size)
        self.spawn: Spawn = services.spawn
        self.bar = StatusBar(
            th,
            show_failed=lambda: dialogs.failed_orders(self),
            show_devices=lambda: self.spawn(devices(self)),
            show_staff=services.lock if services.staff is not None else None,
            show_orders=lambda: self.spawn(orders(self, services.orders_desk())),
        )
        self.add_widget(self.bar)
        body = BoxLayout(spacing=th.pad)
        self.catalog = CatalogView(
            th,
            on_category=self.choose_category,
            on_search=lambda: dialogs.search(self),
            on_tile=self.add,
            on_page=self.turn_page,
            size_hint_x=1 - th.cart_share,
        )
        body.add_widget(self.catalog)
        self.cart = CartView(
            th,
            size_hint_x=th.cart_share,
            actions={
                "customer": lambda: dialogs.customer(self),
                "park": lambda: self.spawn(self.park()),
                "parked": lambda: self.spawn(dialogs.parked(self)),
                "discount": lambda: dialogs.discount(self, None),
                "pay": self.pay,
                "line": lambda i: dialogs.line_menu(self, i),
                "step": self.step,
            },
        )
        body.add_widget(self.cart)
        self.add_widget(body)
        self.parked_count = 0
        self.pay_sheet: PaySheet | None = None

    # -- loading --------------------------------------------------------------------------------

    async def load(self) -> None:
        await self.browser.load()
        self.catalog.show_categories(self.browser.categories, self.browser.category)
        await self.refresh_parked()
        await self.show_page()

    async def refresh_parked(self) -> None:
        """The Parked button's count, read again (a sale was parked or resumed)."""
        self.parked_count = len(await self.session.parked())
        self.redraw()

    async def show_page(self) -> None:
        page = await self.browser.page()
        if page is not None:  # None: a newer request's answer is the one to draw
            self.catalog.show_page(page, self.price)

    def price(self, p: Product) -> str:
        return price_text(p, self.session.cart.settings.locale)

    def redraw(self) -> None:
        self.cart.show(self.session.cart, self.session.customer, self.parked_count)
        if self.pay_sheet is not None:
            self.pay_sheet.refresh()

    # -- browsing -------------------------------------------------------------------------------

    def choose_category(self, category_id: str | None) -> None:
        self.browser.choose_category(category_id)
        self.catalog.search.text = SEARCH_HINT
        self.catalog.show_categories(self.browser.categories, category_id)
        self.spawn(self.show_page())

    def set_query(self, text: str) -> None:
        self.browser.search(text)
        self.catalog.search.text = f"Search: {text}" if text else SEARCH_HINT
        self.spawn(self.show_page())

    def turn_page(self, step: int) -> None:
        self.browser.turn(step)
        self.spawn(self.show_page())

    # -- selling --------------------------------------------------------------------------------

    def say(self, text: str, *, warn: bool = False) -> None:
        self.catalog.say(text, warn=warn)

    def tell(self, outcome: Outcome) -> None:
        """Show what an action did; a variable product opens its picker."""
        if outcome.choose is not None:
            self.spawn(dialogs.pick_variation(self, outcome.choose))
        elif outcome.message:
            self.say(outcome.message, warn=outcome.warn)

    def add(self, product: Product) -> None:
        """A tile or a variation tapped."""
        self.tell(self.session.add_tapped(product))

    async def scanned(self, code: str) -> None:
        """A code from the scanner: added at once; an unknown code leaves the cart alone."""
        staff = self.services.staff
        if staff is not None and not staff.touch():  # a scan on a locked till sells nothing
            self.say("The till is locked: sign in first", warn=True)
            return
        found = await self.session.scan_code(code)
        if found.choose is not None:  # within this task: a test settles once the picker is open
            await dialogs.pick_variation(self, found.choose)
        else:
            self.tell(found)

    def step(self, index: int, delta: int, approval: Approval | None = None) -> None:
        try:
            self.session.step_quantity(index, delta, approval)
        except NeedsManager as need:  # one fewer of a line rung up before the last: a void
            line = self.session.cart.lines[index]
            again = partial(self.step, index, delta)
            what = f"void of 1 x {line.product.name}"
            self.spawn(dialogs.ask_manager(self, Action.VOID, str(need), what, again))
        except CartError as exc:
            self.say(str(exc), warn=True)

    async def park(self) -> None:
        self.tell(await self.session.park_sale())
        await self.refresh_parked()

    def pay(self) -> None:
        if self.session.cart.is_empty or self.pay_sheet is not None:
            return
        sheet = PaySheet(
            self.th,
            self.session,
            spawn=self.spawn,
            done=self.paid,
            left=self.left_payment,
            sim_reader=self.services.sim_reader,
        )
        sheet.bind(on_dismiss=lambda *_: setattr(self, "pay_sheet", None))
        self.pay_sheet = sheet
        sheet.open()

    def paid(self, done: Completed) -> None:
        self.services.printer_used()
        big, small = change_text(done, self.session.cart.settings.locale)
        dialogs.sale_done(self, done, big, small)
        self.spawn(self.show_page())  # stock badges moved

    def left_payment(self, left: LeftPayment) -> None:
        """Back from the pay sheet: cash taken must go back, and the cashier must see how much."""
        if left.hand_back.minor:
            dialogs.hand_back(self, left)
