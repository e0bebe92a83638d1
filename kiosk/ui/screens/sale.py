"""The sale screen: catalog on the left, the cart on the right, the status bar on top.

It is a thin view: every action calls the SaleSession, then the screen redraws from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout

from kiosk.checkout import BadScan, UnknownCode
from kiosk.core.cart import CartError
from kiosk.core.models import Category, Product, ProductKind
from kiosk.counter.session import Completed, SaleSession
from kiosk.store import catalog, search
from kiosk.ui import theme
from kiosk.ui.screens import dialogs
from kiosk.ui.screens.devices import devices
from kiosk.ui.screens.pay import PaySheet, Spawn, change_text
from kiosk.ui.widgets.basics import Panel
from kiosk.ui.widgets.cart_view import CartView
from kiosk.ui.widgets.catalog_view import CatalogView, out_of_stock
from kiosk.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from kiosk.ui.app import PosApp


class SaleScreen(Panel):
    def __init__(self, app: PosApp, th: theme.Theme) -> None:
        super().__init__(orientation="vertical", fill=theme.BG)
        self.app, self.th = app, th
        self.session: SaleSession = app.services.session
        self.spawn: Spawn = app.spawn
        self.bar = StatusBar(
            th,
            show_failed=lambda: self.spawn(dialogs.failed_orders(self)),
            show_devices=lambda: self.spawn(devices(self)),
        )
        self.add_widget(self.bar)
        body = BoxLayout(spacing=th.pad)
        self.catalog = CatalogView(
            th,
            on_category=self.choose_category,
            on_search=lambda: dialogs.search(self),
            on_tile=self.tapped,
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
        self.categories: list[Category] = []
        self.category: str | None = None
        self.query = ""
        self.page = 1
        self.parked_count = 0
        self.pay_sheet: PaySheet | None = None
        self._asked = 0

    # -- loading --------------------------------------------------------------------------------

    async def load(self) -> None:
        self.categories = await catalog.list_categories(self.app.services.db)
        self.catalog.show_categories(self.categories, self.category)
        self.parked_count = len(await self.session.parked())
        await self.show_page()
        self.redraw()

    async def show_page(self) -> None:
        db, size = self.app.services.db, self.th.page_size
        offset = (self.page - 1) * size
        # Every keystroke asks for a page; only the newest request's answer may be drawn.
        self._asked += 1
        asked = self._asked
        # One more than a page tells whether there is a next page without counting them all.
        if self.query:
            items = await search.search(db, self.query, limit=size + 1, offset=offset)
            title = f"“{self.query}”"
        elif self.category is not None:
            items = await catalog.in_category(db, self.category, limit=size + 1, offset=offset)
            title = next((c.name for c in self.categories if c.id == self.category), "")
        else:
            items = await catalog.listed(db, limit=size + 1, offset=offset)
            title = "All products"
        if asked != self._asked:
            return
        self.catalog.show_page(
            items[:size], self.price, page=self.page, has_next=len(items) > size, title=title
        )

    def price(self, p: Product) -> str:
        if p.price is None:
            return "No price"
        text = p.price.format(self.session.cart.settings.locale)
        return f"from {text}" if p.kind is ProductKind.VARIABLE else text

    def redraw(self) -> None:
        self.cart.show(self.session.cart, self.session.customer, self.parked_count)
        if self.pay_sheet is not None:
            self.pay_sheet.refresh()

    # -- browsing -------------------------------------------------------------------------------

    def choose_category(self, category_id: str | None) -> None:
        self.category, self.query, self.page = category_id, "", 1
        self.catalog.search.text = "Search products…"
        self.catalog.show_categories(self.categories, category_id)
        self.spawn(self.show_page())

    def set_query(self, text: str) -> None:
        self.query, self.page = text.strip(), 1
        self.catalog.search.text = f"Search: {text}" if text else "Search products…"
        self.spawn(self.show_page())

    def turn_page(self, step: int) -> None:
        self.page = max(1, self.page + step)
        self.spawn(self.show_page())

    # -- selling --------------------------------------------------------------------------------

    def say(self, text: str, *, warn: bool = False) -> None:
        self.catalog.say(text, warn=warn)

    def tapped(self, product: Product) -> None:
        if product.kind is ProductKind.VARIABLE:
            self.spawn(dialogs.pick_variation(self, product))
        else:
            self.add(product)

    def add(self, product: Product) -> None:
        try:
            self.session.add(product)
        except CartError as exc:
            self.say(str(exc), warn=True)
            return
        self._added(product)

    def _added(self, product: Product) -> None:
        if out_of_stock(product):
            self.say(f"Added {product.name}, but the shop has none in stock", warn=True)
        else:
            self.say(f"Added {product.name}")

    async def scanned(self, code: str) -> None:
        """A code from the scanner: add it at once; an unknown code leaves the cart alone."""
        try:
            found = await self.session.scan(code)
        except BadScan as exc:  # a check digit failed: never guess which product was meant
            text = str(exc)
            self.say(text[:1].upper() + text[1:], warn=True)
            return
        except UnknownCode:
            self.say(f"Unknown barcode {code}: nothing was added", warn=True)
            return
        except CartError as exc:
            self.say(str(exc), warn=True)
            return
        if found.added and (found.price is not None or found.weight_g is not None):
            self.say(f"Added {found.name}")  # a label's price or weight: never out of stock
        elif found.added:
            self._added(found.product)
        else:
            await dialogs.pick_variation(self, found.product)

    def step(self, index: int, delta: int) -> None:
        try:
            self.session.step_quantity(index, delta)
        except CartError as exc:
            self.say(str(exc), warn=True)

    async def park(self) -> None:
        if self.session.cart.is_empty:
            self.say("There is nothing to park", warn=True)
            return
        saved = await self.session.park()
        self.parked_count += 1
        count = dialogs.items(saved.item_count)
        self.say(f"Parked the sale ({count}): tap Parked to resume it")
        self.redraw()

    def pay(self) -> None:
        if self.session.cart.is_empty or self.pay_sheet is not None:
            return
        sheet = PaySheet(
            self.th,
            self.session,
            spawn=self.spawn,
            done=self.paid,
            sim_reader=self.app.services.sim_reader,
        )
        sheet.bind(on_dismiss=lambda *_: setattr(self, "pay_sheet", None))
        self.pay_sheet = sheet
        sheet.open()

    def paid(self, done: Completed) -> None:
        self.app.printer_used()
        big, small = change_text(done, self.session.cart.settings.locale)
        dialogs.sale_done(self, done, big, small)
        self.spawn(self.show_page())  # stock badges moved
