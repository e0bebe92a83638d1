"""The Shift sheet (from the Devices sheet): open the shift with the float counted, cash in and
out with a reason, the X report at any time, and the close with the cash counted (the Z report).

A thin view over kiosk.counter.shift_desk: amounts are typed on the keypad as at the pay sheet
("2000" is 20.00); a report is printed and shown as it reads on paper.
"""

from __future__ import annotations

from functools import partial

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView

from kiosk.core.money import Money
from kiosk.counter.outcome import Outcome
from kiosk.counter.shift_desk import REASONS_IN, REASONS_OUT, Reported, ShiftDesk
from kiosk.shifts.shift import MovementKind
from kiosk.ui import theme
from kiosk.ui.cash import keyed, typed_amount
from kiosk.ui.screens.view import SaleView
from kiosk.ui.widgets.basics import PosLabel
from kiosk.ui.widgets.sheet import Sheet

MONO = "RobotoMono-Regular"  # ships with Kivy: the report lines up as on paper


async def shift_sheet(screen: SaleView, desk: ShiftDesk) -> None:
    th = screen.th
    settings = await desk.settings()
    current = await desk.current()
    sheet = Sheet(th, "Shift and cash")
    if current is None:
        state = "No shift is open: count the float into the drawer and type it"
    else:
        opened = current.opened_at.astimezone().strftime("%H:%M")
        state = f"Shift {current.number}, opened by {current.opened_by} at {opened}"
    sheet.note(state)
    digits = {"v": ""}
    amount = sheet.note("", size=th.large)
    message = sheet.note("", color=theme.MUTED)

    def show() -> None:
        typed = typed_amount(digits["v"], settings.currency).format(settings.locale)
        amount.text = f"Amount: {typed}"

    def key(k: str) -> None:
        digits["v"] = keyed(digits["v"], k, limit=9)
        show()

    sheet.buttons([(k, partial(key, k)) for k in "1234567"])
    sheet.buttons([(k, partial(key, k)) for k in ("8", "9", "0", "00", theme.BACKSPACE)])

    def told(outcome: Outcome) -> None:
        message.text = outcome.message
        message.color = theme.WARN if outcome.warn else theme.TEXT

    def typed() -> Money:
        return typed_amount(digits["v"], settings.currency)

    async def open_shift() -> None:
        outcome = await desk.open(typed())
        if outcome.warn:
            told(outcome)
            return
        sheet.dismiss()
        screen.say(outcome.message)

    async def report(result: Reported | Outcome, *, done: bool) -> None:
        if isinstance(result, Outcome):
            told(result)
            return
        if done:
            sheet.dismiss()
        _report_sheet(screen, result)

    async def x_report() -> None:
        await report(await desk.x_report(), done=False)

    async def z_report() -> None:
        await report(await desk.close(typed()), done=True)

    def move(kind: MovementKind) -> None:
        money = typed()
        reasons = REASONS_IN if kind is MovementKind.IN else REASONS_OUT
        pick = Sheet(th, f"Cash {kind.value}: why?")

        async def chosen(reason: str) -> None:
            pick.dismiss()
            outcome = await desk.move(kind, money, reason)
            told(outcome)
            if not outcome.warn:  # done: the keypad is ready for the next
                digits["v"] = ""
                show()

        def pick_one(reason: str) -> None:
            screen.spawn(chosen(reason))

        pick.choices([(r, partial(pick_one, r)) for r in reasons])
        pick.open()

    if current is None:
        sheet.buttons([("Open the shift", lambda: screen.spawn(open_shift()))], tone=theme.ACCENT)
    else:
        sheet.buttons(
            [
                ("Cash in", lambda: move(MovementKind.IN)),
                ("Cash out", lambda: move(MovementKind.OUT)),
                ("X report", lambda: screen.spawn(x_report())),
            ]
        )
        sheet.buttons(
            [
                ("Close with the amount counted", lambda: screen.spawn(z_report())),
            ],
            tone=theme.ACCENT,
        )
    sheet.add(BoxLayout())
    show()
    sheet.open()


def _report_sheet(screen: SaleView, done: Reported) -> None:
    th = screen.th
    sheet = Sheet(th, f"{done.report.kind.value} report, shift {done.report.shift.number}")
    sheet.note(done.outcome.message, color=theme.WARN if done.outcome.warn else theme.TEXT)
    text = PosLabel(
        text=done.paper.text(),
        font_name=MONO,
        font_size=th.small,
        size_hint_y=None,
        valign="top",
    )
    text.bind(texture_size=lambda w, size: setattr(w, "height", size[1]))
    scroll = ScrollView()
    scroll.add_widget(text)
    sheet.add(scroll)
    sheet.open()
