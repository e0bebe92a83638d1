"""The Pickup sheet: web orders waiting in the shop, found by number or name; one's items are
checked and it is handed over, which completes it in the store (kiosk.counter.pickup_desk)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView

from kiosk.core.receipt import device_zone
from kiosk.counter.outcome import items
from kiosk.counter.pickup_desk import PickupDesk, PickupRow, UnknownPickup
from kiosk.ui import theme
from kiosk.ui.screens.view import SaleView
from kiosk.ui.widgets.basics import PosButton, PosLabel
from kiosk.ui.widgets.keyboard import keyboard_sheet
from kiosk.ui.widgets.sheet import Sheet

SEARCH = "Search: order number or name"


async def pickups(screen: SaleView, desk: PickupDesk) -> None:
    th = screen.th
    sheet = Sheet(th, "Web orders to collect")
    typed = {"text": ""}
    search = sheet.buttons([(SEARCH, lambda: keyboard())]).children[0]
    search.role = "pickup-search"
    grid = GridLayout(cols=1, size_hint_y=None, spacing=th.pad)
    grid.bind(minimum_height=grid.setter("height"))
    scroll = ScrollView()
    scroll.add_widget(grid)
    sheet.add(scroll)

    async def show(said: str = "") -> None:
        found = await desk.find(typed["text"])
        grid.clear_widgets()
        if said:  # what the last hand-over did, above the list it changed
            grid.add_widget(_words(th, said, color=theme.ACCENT))
        if not found:
            grid.add_widget(_words(th, "No web order is waiting for collection"))
        for row in found:
            who = f" · {row.customer}" if row.customer else ""
            b = PosButton(
                text=f"{row.number}{who} · {_summary(screen, row)}",
                font_size=th.small if th.cols <= theme.COMPACT.cols else th.font,
                size_hint_y=None,
                height=th.row,
                on_release=partial(_open, screen, desk, row, show),
            )
            b.role = "pickup"
            grid.add_widget(b)

    def keyboard() -> None:
        def on_text(text: str) -> None:
            typed["text"] = text
            search.text = f"Search: {text}" if text else SEARCH
            screen.spawn(show())

        keyboard_sheet(th, "Find", typed["text"], on_text)

    await show()
    sheet.open()


def _words(th: theme.Theme, text: str, *, color: object = theme.TEXT) -> PosLabel:
    return PosLabel(
        text=text, font_size=th.font, color=color, size_hint_y=None, height=int(th.row * 0.8)
    )


def _summary(screen: SaleView, row: PickupRow) -> str:
    """ "3 items · £42.00 · placed 03 Dec 14:02", in the shop's money and the till's time."""
    placed = row.placed_at.astimezone(device_zone()).strftime("%d %b %H:%M")
    money = row.total.format(screen.session.cart.settings.locale)
    return f"{items(row.items)} · {money} · placed {placed}"


def _open(
    screen: SaleView,
    desk: PickupDesk,
    row: PickupRow,
    refresh: Callable[[str], Awaitable[None]],
    _b: object,
) -> None:
    th = screen.th
    who = f" · {row.customer}" if row.customer else ""
    sheet = Sheet(th, f"Order {row.number}{who}")
    sheet.note(f"{_summary(screen, row)} · {row.words}", color=theme.MUTED, size=th.small)
    lines = GridLayout(cols=1, size_hint_y=None)
    lines.bind(minimum_height=lines.setter("height"))
    for line in row.lines:
        sku = f" ({line.sku})" if line.sku else ""
        lines.add_widget(_words(th, f"{line.quantity} × {line.name}{sku}"))
    if row.note:
        lines.add_widget(_words(th, f"Note: {row.note}", color=theme.WARN))
    scroll = ScrollView()
    scroll.add_widget(lines)
    sheet.add(scroll)

    async def collected() -> None:
        try:
            done = await desk.collect(row.remote_id)
        except UnknownPickup:
            sheet.dismiss()
            screen.say(f"Web order {row.number} is no longer waiting here", warn=True)
            return
        sheet.dismiss()
        # The list behind, where it is no longer waiting, says so.
        await refresh(f"Handed over order {done.number}{who}. {done.words}.")

    done = sheet.buttons(
        [("Handed over: mark collected", lambda: screen.spawn(collected()))], tone=theme.ACCENT
    ).children[0]
    done.role = "collect"
    sheet.open()
