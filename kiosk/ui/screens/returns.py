"""The Returns sheet: what comes back of one order, line by line, to cash or the card, with a
manager's PIN. The desk (kiosk.counter.returns_desk) decides; this lays it out."""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView

from kiosk.core.models import PaymentMethod
from kiosk.core.refund_calc import RefundError
from kiosk.counter.manager import NeedsManager
from kiosk.counter.returns_desk import ReturnDraft, ReturnLine, ReturnsDesk
from kiosk.staff.overrides import Action, Approval
from kiosk.ui import theme
from kiosk.ui.screens.signin import manager_sheet
from kiosk.ui.screens.view import SaleView
from kiosk.ui.widgets.basics import PosButton, PosLabel
from kiosk.ui.widgets.sheet import Sheet

NO_MANAGER = "A refund needs a manager's PIN: add a manager with `kiosk staff add`"


async def returns(screen: SaleView, desk: ReturnsDesk, order_id: str) -> None:
    th = screen.th
    try:
        draft = await desk.start(order_id)
    except RefundError as exc:
        screen.say(str(exc), warn=True)
        return
    locale = screen.session.cart.settings.locale
    sheet = Sheet(th, f"Refund order {draft.order.number}")
    message = sheet.note("Choose what comes back", color=theme.MUTED)
    grid = GridLayout(cols=1, size_hint_y=None, spacing=th.pad)
    grid.bind(minimum_height=grid.setter("height"))
    counts: dict[int, PosLabel] = {}
    for line in draft.lines:
        grid.add_widget(_line_row(th, draft, line, counts, lambda: screen.spawn(redraw())))
    scroll = ScrollView()
    scroll.add_widget(grid)
    sheet.add(scroll)
    options = sheet.buttons(
        [
            ("Everything left", lambda: everything()),
            ("", lambda: toggle_restock()),
        ]
    )
    restock = options.children[0]  # BoxLayout keeps children last-first
    pay = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
    sheet.add(pay)

    def everything() -> None:
        draft.choose_all()
        screen.spawn(redraw())

    def toggle_restock() -> None:
        draft.restock = not draft.restock
        show_restock()

    def show_restock() -> None:
        restock.text = "Back on the shelf: yes" if draft.restock else "Back on the shelf: no"

    async def redraw() -> None:
        for line in draft.lines:
            counts[line.line_no].text = f"{line.chosen}"
        amount = await desk.amount(draft)
        pay.clear_widgets()
        if not amount.minor:
            message.text, message.color = "Choose what comes back", theme.MUTED
            return
        message.text, message.color = f"Refund {amount.format(locale)}", theme.TEXT
        for method in desk.methods(draft, amount):
            where = "to the card" if method is PaymentMethod.CARD else "in cash"
            b = PosButton(
                text=f"Refund {amount.format(locale)} {where}",
                font_size=th.font,
                tone=theme.ACCENT,
                on_release=lambda _b, m=method: screen.spawn(commit(m, None)),
            )
            b.role = f"refund-{method.value}"
            pay.add_widget(b)

    async def commit(method: PaymentMethod, approval: Approval | None) -> None:
        try:
            told = await desk.commit(draft, method, approval=approval)
        except NeedsManager as need:
            await ask_manager(str(need), lambda a: screen.spawn(commit(method, a)))
            return
        except RefundError as exc:
            message.text, message.color = str(exc), theme.WARN
            return
        screen.services.printer_used()  # the drawer opened for a cash refund
        sheet.dismiss()
        screen.tell(told)

    async def ask_manager(why: str, again: Callable[[Approval], None]) -> None:
        staff = screen.services.staff
        if staff is None:
            message.text, message.color = NO_MANAGER, theme.WARN
            return

        async def approve(name: str, pin: str) -> None:
            approval = await staff.approve(
                Action.REFUND, name, pin, subject=draft.refund_id, detail=message.text
            )
            again(approval)

        what = why.removesuffix(" needs a manager's PIN")
        manager_sheet(th, what, await staff.managers(), approve, screen.spawn).open()

    show_restock()
    await redraw()
    sheet.open()


def _line_row(
    th: theme.Theme,
    draft: ReturnDraft,
    line: ReturnLine,
    counts: dict[int, PosLabel],
    changed: Callable[[], None],
) -> BoxLayout:
    row = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
    left = f"{line.left} of {line.sold} left" if line.left < line.sold else f"{line.sold} sold"
    row.add_widget(PosLabel(text=f"{line.name} · {left}", font_size=th.font))

    def step(by: int) -> None:
        draft.step(line.line_no, by)
        changed()

    for text, by in (("−", -1), ("+", 1)):
        b = PosButton(
            text=text,
            font_size=th.large,
            size_hint_x=None,
            width=th.row,
            disabled=line.left == 0,
            on_release=lambda _b, n=by: step(n),
        )
        b.role = "less" if by < 0 else "more"
        if by > 0:
            count = PosLabel(
                text="0", font_size=th.large, size_hint_x=None, width=th.row, halign="center"
            )
            counts[line.line_no] = count
            row.add_widget(count)
        row.add_widget(b)
    return row
