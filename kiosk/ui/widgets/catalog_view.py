"""The left side of the sale screen: search, category tabs, one page of product tiles, paging."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView

from kiosk.core.models import Category, Product, ProductKind, StockStatus
from kiosk.counter.browser import Page
from kiosk.counter.outcome import out_of_stock
from kiosk.ui import theme
from kiosk.ui.widgets.basics import PosButton, PosLabel

Fmt = Callable[[Product], str]


def stock_badge(p: Product) -> tuple[str, bool]:
    """The tile's stock line and whether it warns (out of stock is shown, and still sellable)."""
    if p.kind is ProductKind.VARIABLE:
        return "Choose size/colour ›", False
    if out_of_stock(p):
        return "Out of stock", True
    if p.manage_stock and p.stock_quantity is not None:
        return f"{p.stock_quantity} in stock", False
    if p.stock_status is StockStatus.ON_BACKORDER:
        return "On backorder", True
    return "", False


class ProductTile(PosButton):
    """A product's name, price and stock; the same tiles show each page's products."""

    def __init__(self, th: theme.Theme, **kw: Any) -> None:
        super().__init__(markup=True, font_size=th.small, **kw)
        self.product: Product | None = None
        self.role = "tile"

    def show(self, product: Product | None, price: str = "") -> None:
        self.product = product
        self.opacity, self.disabled = (1, False) if product is not None else (0, True)
        if product is None:
            self.text = ""
            return
        badge, warn = stock_badge(product)
        colour = "f0a020" if warn else "b4b8c0"
        self.text = f"{product.name}\n[b]{price}[/b]" + (
            f"\n[color={colour}]{badge}[/color]" if badge else ""
        )


class CatalogView(BoxLayout):
    def __init__(
        self,
        th: theme.Theme,
        *,
        on_category: Callable[[str | None], None],
        on_search: Callable[[], None],
        on_tile: Callable[[Product], None],
        on_page: Callable[[int], None],
        **kw: Any,
    ) -> None:
        super().__init__(orientation="vertical", spacing=th.pad, padding=th.pad, **kw)
        self.th = th
        self._on_category, self._on_tile = on_category, on_tile
        self.search = PosButton(
            text="Search products…",
            font_size=th.font,
            size_hint_y=None,
            height=th.row,
            halign="left",
            on_release=lambda _b: on_search(),
        )
        self.search.role = "search"
        self.add_widget(self.search)
        self._tabs = BoxLayout(size_hint_x=None, spacing=th.pad)
        self._tabs.bind(minimum_width=self._tabs.setter("width"))
        scroller = ScrollView(size_hint_y=None, height=th.row, do_scroll_y=False)
        scroller.add_widget(self._tabs)
        self.add_widget(scroller)
        self.grid = GridLayout(cols=th.cols, spacing=th.pad)
        self._tiles = [
            ProductTile(th, on_release=lambda b: self._tapped(b)) for _ in range(th.page_size)
        ]
        for tile in self._tiles:
            tile.show(None)
            self.grid.add_widget(tile)
        self.add_widget(self.grid)
        pager = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
        # Narrow arrows leave the label most of the row: it carries the cashier's messages too.
        arrow: dict[str, Any] = {
            "font_size": th.large,
            "size_hint_x": None,
            "width": int(th.row * 1.6),
        }
        self.prev = PosButton(text="‹", on_release=lambda _b: on_page(-1), **arrow)
        self.prev.role = "previous-page"
        self.page_label = PosLabel(font_size=th.small, halign="center")
        self.next = PosButton(text="›", on_release=lambda _b: on_page(1), **arrow)
        self.next.role = "next-page"
        for w in (self.prev, self.page_label, self.next):
            pager.add_widget(w)
        self.add_widget(pager)
        self.selected: str | None = None

    def show_categories(self, categories: Sequence[Category], selected: str | None) -> None:
        self._tabs.clear_widgets()
        self.selected = selected
        for cid, name in [(None, "All"), *((c.id, c.name) for c in categories)]:
            tab = PosButton(
                text=name,
                font_size=self.th.small,
                size_hint_x=None,
                width=max(self.th.row * 2, 14 * len(name) + 24),
                tone=theme.ACCENT if cid == selected else theme.TILE,
                on_release=lambda _b, c=cid: self._on_category(c),
            )
            tab.role = "category"
            self._tabs.add_widget(tab)

    def show_page(self, page: Page, price: Fmt) -> None:
        # The same tiles every page (a short page hides the rest, so tiles keep their size): new
        # widgets on every keystroke of a search were garbage the collector stalled on.
        shown = page.products[: self.th.page_size]
        for i, tile in enumerate(self._tiles):
            p = shown[i] if i < len(shown) else None
            tile.show(p, price(p) if p is not None else "")
        self.prev.disabled = page.number <= 1
        self.next.disabled = not page.has_next
        self.page_label.text, self.page_label.color = page.heading, theme.TEXT

    def _tapped(self, tile: ProductTile) -> None:
        if tile.product is not None:
            self._on_tile(tile.product)

    def say(self, text: str, *, warn: bool = False) -> None:
        """A message for the cashier, where the page number was, until the page changes; a
        warning (nothing happened, or something needs a look) is amber."""
        self.page_label.text = text
        self.page_label.color = theme.WARN if warn else theme.TEXT
