"""The Orders sheet: today's and earlier sales, searchable, each with its upload state; a sale's
detail with Reprint, and Retry for one the store refused; "Web order…" finds an order placed in
the web shop by its number and opens its Returns sheet."""

from __future__ import annotations

from functools import partial

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView

from kiosk.core.refund_calc import RefundError
from kiosk.counter.orders_desk import OrderRow, OrdersDesk
from kiosk.ui import theme
from kiosk.ui.screens.pickup import pickups
from kiosk.ui.screens.returns import returns
from kiosk.ui.screens.view import SaleView
from kiosk.ui.widgets.basics import PosButton, PosLabel
from kiosk.ui.widgets.keyboard import keyboard_sheet
from kiosk.ui.widgets.sheet import Sheet

SEARCH = "Search: number, customer or amount"
WEB_ORDER = "Web order number"  # the keyboard's title: an order placed in the web shop
SHOWN = 50  # the newest this many that match: a search finds older ones


async def orders(screen: SaleView, desk: OrdersDesk) -> None:
    th = screen.th
    sheet = Sheet(th, "Orders")
    typed = {"text": ""}

    def web_orders() -> None:
        sheet.dismiss()
        screen.spawn(pickups(screen, screen.services.pickup_desk()))

    def web_order() -> None:
        typed_number = {"text": ""}
        pad = keyboard_sheet(th, WEB_ORDER, "", lambda text: typed_number.update(text=text))

        def done(_pad: object) -> None:
            if typed_number["text"].strip():
                sheet.dismiss()
                screen.spawn(_web_refund(screen, typed_number["text"].strip()))

        pad.bind(on_dismiss=done)

    row = sheet.buttons(
        [
            (SEARCH, lambda: keyboard()),
            ("Web order…", web_order),
            ("Web orders to collect", web_orders),
        ]
    )
    pickups_button, web_button, search_button = row.children  # BoxLayout: last-first
    pickups_button.role = "pickups"
    web_button.role = "web-order"
    search_button.role = "orders-search"
    # The search says what it holds; the other two need less of the row.
    search_button.size_hint_x, web_button.size_hint_x, pickups_button.size_hint_x = 2, 1, 1.2
    grid = GridLayout(cols=1, size_hint_y=None, spacing=th.pad)
    grid.bind(minimum_height=grid.setter("height"))
    scroll = ScrollView()
    scroll.add_widget(grid)
    sheet.add(scroll)

    async def show() -> None:
        found = await desk.find(typed["text"], limit=SHOWN)
        grid.clear_widgets()
        if not found:
            grid.add_widget(sheet_note(sheet, "No orders found"))
        for row in found:
            b = PosButton(
                text=f"{row.number} · {row.summary} · {row.state}",
                font_size=th.small if th.cols <= theme.COMPACT.cols else th.font,
                size_hint_y=None,
                height=th.row,
                tone=theme.DANGER if row.failed else theme.TILE,
                on_release=partial(_open, screen, desk, row),
            )
            b.role = "order"
            grid.add_widget(b)

    def keyboard() -> None:
        def on_text(text: str) -> None:
            typed["text"] = text
            search_button.text = f"Search: {text}" if text else SEARCH
            screen.spawn(show())

        keyboard_sheet(th, "Find", typed["text"], on_text)

    await show()
    sheet.open()


async def _web_refund(screen: SaleView, number: str) -> None:
    """The Returns sheet of web order `number`, fetched from the store once (then offline)."""
    desk = screen.services.returns_desk()
    screen.say(f"Looking for web order {number}…")
    try:
        order_id = await desk.web_order(number)
    except RefundError as exc:
        screen.say(str(exc), warn=True)
        return
    await returns(screen, desk, order_id)


def sheet_note(sheet: Sheet, text: str) -> PosButton:
    """A line of plain words in the list (a disabled button keeps the list's own rhythm)."""
    note = PosButton(text=text, font_size=sheet.th.font, size_hint_y=None, height=sheet.th.row)
    note.disabled = True
    return note


def _open(screen: SaleView, desk: OrdersDesk, row: OrderRow, _b: object) -> None:
    screen.spawn(_detail(screen, desk, row))


async def _detail(screen: SaleView, desk: OrdersDesk, row: OrderRow) -> None:
    th = screen.th
    detail = await desk.detail(row.order_id)
    if detail is None:
        screen.say("That order is not on this till any more", warn=True)
        return
    sheet = Sheet(th, f"Order {row.number}")
    sheet.note(detail.row.summary, color=theme.MUTED, size=th.small)
    state = sheet.note(detail.row.state, color=theme.WARN if row.failed else theme.TEXT)
    if row.reason:
        reason = sheet.note(f"The store said: {row.reason}", color=theme.WARN, size=th.small)
        reason.height = th.row * 1.5
    words = GridLayout(cols=1, size_hint_y=None, spacing=0)
    words.bind(minimum_height=words.setter("height"))
    for text in (*detail.lines, *detail.payments, *detail.totals):
        words.add_widget(
            PosLabel(text=text, font_size=th.font, size_hint_y=None, height=int(th.row * 0.8))
        )
    scroll = ScrollView()
    scroll.add_widget(words)
    sheet.add(scroll)

    async def reprint() -> None:
        told = await desk.reprint(row.order_id)
        screen.services.printer_used()
        state.text = told.message
        state.color = theme.WARN if told.warn else theme.TEXT

    async def retry() -> None:
        told = await desk.retry(row.order_id, row.number)
        sheet.dismiss()
        screen.tell(told)

    def refund() -> None:
        sheet.dismiss()
        screen.spawn(returns(screen, screen.services.returns_desk(), row.order_id))

    actions = [("Print the receipt again", lambda: screen.spawn(reprint())), ("Refund", refund)]
    if row.failed:
        actions.append((f"Retry {row.number}", lambda: screen.spawn(retry())))
    sheet.buttons(actions)
    sheet.add(BoxLayout(size_hint_y=None, height=0))
    sheet.open()
