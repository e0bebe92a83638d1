"""The right side of the sale screen: the lines with +/-, the totals, and the sale's buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.core.cart import Cart, CartTotals
from kiosk.core.models import Customer, OrderLine
from kiosk.core.money import Money
from kiosk.ui import theme
from kiosk.ui.widgets.basics import Panel, PosButton, PosLabel


def line_amount(line: OrderLine, prices_include_tax: bool) -> Money:
    """A line's total as the shop shows prices: with tax when its prices include tax."""
    return line.total + line.total_tax if prices_include_tax else line.total


class CartView(Panel):
    def __init__(
        self, th: theme.Theme, *, actions: dict[str, Callable[..., None]], **kw: Any
    ) -> None:
        super().__init__(orientation="vertical", padding=th.pad, spacing=th.pad, **kw)
        self.th, self.actions = th, actions
        self.customer = PosButton(
            text="Add customer",
            font_size=th.small,
            size_hint_y=None,
            height=th.row,
            on_release=lambda _b: actions["customer"](),
        )
        self.add_widget(self.customer)
        self.lines = GridLayout(cols=1, size_hint_y=None, spacing=th.pad)
        self.lines.bind(minimum_height=self.lines.setter("height"))
        self.scroll = ScrollView()
        self.scroll.add_widget(self.lines)
        self.add_widget(self.scroll)
        self.totals = GridLayout(cols=2, size_hint_y=None, spacing=(th.pad, 0))
        self.totals.bind(minimum_height=self.totals.setter("height"))
        self.add_widget(self.totals)
        buttons = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
        for label, key in (("Park", "park"), ("Parked", "parked"), ("Discount", "discount")):
            b = PosButton(text=label, font_size=th.small, on_release=lambda _b, k=key: actions[k]())
            b.role = key
            buttons.add_widget(b)
            setattr(self, f"{key}_button", b)
        self.add_widget(buttons)
        self.pay = PosButton(
            text="Pay",
            font_size=th.large,
            bold=True,
            size_hint_y=None,
            height=int(th.row * 1.3),
            tone=theme.ACCENT,
            on_release=lambda _b: actions["pay"](),
        )
        self.pay.role = "pay"
        self.add_widget(self.pay)
        self._rows: list[CartLine] = []
        self._total_labels: list[PosLabel] = []
        self._empty = PosLabel(
            text="Scan or tap a product to start a sale",
            font_size=th.font,
            color=theme.MUTED,
            size_hint_y=None,
            height=th.row * 2,
            halign="center",
        )

    # Rows are made once and kept: rebuilding every widget on each scan left tens of thousands of
    # objects for the garbage collector, whose full passes stalled scans for 100 ms and more.

    def show(self, cart: Cart, customer: Customer | None, parked: int) -> None:
        th, locale = self.th, cart.settings.locale
        totals = cart.totals()  # priced once per redraw, not once per line
        incl = cart.settings.prices_include_tax
        self.customer.text = f"Customer: {customer.display_name}" if customer else "Add customer"
        self.parked_button.text = f"Parked ({parked})" if parked else "Parked"
        while len(self._rows) < len(cart.lines):
            self._rows.append(CartLine(th, len(self._rows), self.actions))
        for row, line, priced in zip(self._rows, cart.lines, totals.lines, strict=False):
            # The name on one line (cut with "…" on a narrow screen), the quantity under it.
            detail = f"[b]{line.quantity}[/b] × {priced.unit_price.format(locale)}"
            if line.discount is not None:
                detail += f"  [color=7fd49a]−{line.discount.label(locale)}[/color]"
            row.show(line.name, detail, line_amount(priced, incl).format(locale))
        wanted: list[Widget] = [*self._rows[: len(cart.lines)]] or [self._empty]
        _keep_children(self.lines, wanted)
        self._show_totals(cart, totals)
        self.pay.disabled = cart.is_empty
        self.pay.text = f"Pay {totals.total.format(locale)}" if not cart.is_empty else "Pay"

    def _show_totals(self, cart: Cart, t: CartTotals) -> None:
        th, locale = self.th, cart.settings.locale
        rows: list[tuple[str, str, int]] = [
            ("Subtotal", t.subtotal_display.format(locale), th.small)
        ]
        if t.discount_display.minor:
            label = "Discounts"
            if cart.cart_discount is not None:
                label = f"{cart.cart_discount.label(locale)} off the sale"
            rows.append((label, "−" + t.discount_display.format(locale), th.small))
        incl = "incl. " if cart.settings.prices_include_tax else ""
        for tax in t.tax_lines:
            if not tax.amount.minor:
                continue  # a 0% rate has nothing to tell the customer at the counter
            rows.append((f"{incl}{tax.label}", tax.amount.format(locale), th.small))
        rows.append(("Total", t.total.format(locale), th.large))
        while len(self._total_labels) < 2 * len(rows):
            self._total_labels.append(PosLabel(size_hint_y=None))
        for (left, right, size), pair in zip(rows, _pairs(self._total_labels), strict=False):
            for label, text in zip(pair, (left, right), strict=True):
                label.text, label.font_size, label.bold = text, size, size == th.large
                label.height = max(int(size * 1.6), 24)
            pair[1].halign = "right"
        _keep_children(self.totals, self._total_labels[: 2 * len(rows)])


class CartLine(BoxLayout):
    """One line of the cart: name and quantity (tap for its menu), − and +, and its amount."""

    def __init__(self, th: theme.Theme, index: int, actions: dict[str, Callable[..., None]]):
        super().__init__(size_hint_y=None, height=th.row, spacing=th.pad)
        self.name = PosButton(
            markup=True,
            font_size=th.small,
            lines=1,
            halign="left",
            on_release=lambda _b: actions["line"](index),
        )
        self.name.role = "line"
        self.add_widget(self.name)
        for text, step in (("−", -1), ("+", 1)):
            self.add_widget(
                PosButton(
                    text=text,
                    font_size=th.large,
                    size_hint_x=None,
                    width=th.row,
                    on_release=lambda _b, d=step: actions["step"](index, d),
                )
            )
        self.amount = PosLabel(
            font_size=th.font,
            halign="right",
            size_hint_x=None,
            width=int(th.font * 4.2),  # "£1,234.56" on one line
        )
        self.add_widget(self.amount)

    def show(self, name: str, detail: str, amount: str) -> None:
        self.name.fit(name, f"[color=b4b8c0]{detail}[/color]")
        self.amount.text = amount


def _pairs(labels: list[PosLabel]) -> list[tuple[PosLabel, PosLabel]]:
    return list(zip(labels[::2], labels[1::2], strict=True))


def _keep_children(parent: Widget, wanted: list[Widget]) -> None:
    """Make `wanted` the children of `parent`, in order, touching nothing when they already are."""
    if list(reversed(parent.children)) == wanted:
        return
    parent.clear_widgets()
    for w in wanted:
        parent.add_widget(w)
