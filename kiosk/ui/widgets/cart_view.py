"""The right side of the sale screen: the lines with +/-, the totals, and the sale's buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView

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

    def show(self, cart: Cart, customer: Customer | None, parked: int) -> None:
        th, locale = self.th, cart.settings.locale
        totals = cart.totals()  # priced once per redraw, not once per line
        incl = cart.settings.prices_include_tax
        self.customer.text = f"Customer: {customer.display_name}" if customer else "Add customer"
        self.parked_button.text = f"Parked ({parked})" if parked else "Parked"
        self.lines.clear_widgets()
        for i, line in enumerate(cart.lines):
            row = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
            # The name on one line (cut with "…" on a narrow screen), the quantity under it.
            detail = f"[b]{line.quantity}[/b] × {totals.lines[i].unit_price.format(locale)}"
            if line.discount is not None:
                detail += f"  [color=7fd49a]−{line.discount.label(locale)}[/color]"
            label = PosButton(
                text=line.product.name,
                detail=f"[color=b4b8c0]{detail}[/color]",
                markup=True,
                font_size=th.small,
                lines=1,
                halign="left",
                on_release=lambda _b, n=i: self.actions["line"](n),
            )
            label.role = "line"
            row.add_widget(label)
            row.add_widget(
                PosButton(
                    text="−",
                    font_size=th.large,
                    size_hint_x=None,
                    width=th.row,
                    on_release=lambda _b, n=i: self.actions["step"](n, -1),
                )
            )
            row.add_widget(
                PosButton(
                    text="+",
                    font_size=th.large,
                    size_hint_x=None,
                    width=th.row,
                    on_release=lambda _b, n=i: self.actions["step"](n, 1),
                )
            )
            row.add_widget(
                PosLabel(
                    text=line_amount(totals.lines[i], incl).format(locale),
                    font_size=th.font,
                    halign="right",
                    size_hint_x=None,
                    width=int(th.font * 4.2),  # "£1,234.56" on one line
                )
            )
            self.lines.add_widget(row)
        if cart.is_empty:
            self.lines.add_widget(
                PosLabel(
                    text="Scan or tap a product to start a sale",
                    font_size=th.font,
                    color=theme.MUTED,
                    size_hint_y=None,
                    height=th.row * 2,
                    halign="center",
                )
            )
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
        self.totals.clear_widgets()
        for left, right, size in rows:
            h = max(int(size * 1.6), 24)
            self.totals.add_widget(
                PosLabel(
                    text=left, font_size=size, size_hint_y=None, height=h, bold=size == th.large
                )
            )
            self.totals.add_widget(
                PosLabel(
                    text=right,
                    font_size=size,
                    size_hint_y=None,
                    height=h,
                    halign="right",
                    bold=size == th.large,
                )
            )
