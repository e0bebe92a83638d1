"""The sheets the sale screen opens: search, variations, discounts, customers, parked sales,
failed uploads, cash to hand back, and the end of a sale."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from decimal import Decimal
from functools import partial
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from kiosk.core.cart import CartError
from kiosk.core.discount import Discount
from kiosk.core.models import Customer, Product
from kiosk.core.variant_picker import Picker
from kiosk.counter.manager import NeedsManager
from kiosk.counter.outcome import Completed, LeftPayment, items
from kiosk.counter.session import SaleSession
from kiosk.hardware.base import PrinterError
from kiosk.staff.overrides import Action, Approval
from kiosk.ui import theme
from kiosk.ui.cash import keyed, typed_amount
from kiosk.ui.screens.signin import manager_sheet
from kiosk.ui.screens.view import SaleView
from kiosk.ui.widgets.basics import PosButton
from kiosk.ui.widgets.keyboard import Keyboard, keyboard_sheet
from kiosk.ui.widgets.sheet import Sheet

PERCENTS = (5, 10, 15, 20, 25, 50)


def search(screen: SaleView) -> None:
    """The on-screen keyboard; results fill the product grid as the cashier types."""
    keyboard_sheet(screen.th, "Search", screen.browser.query, screen.set_query)


async def pick_variation(screen: SaleView, parent: Product) -> None:
    variations = await screen.session.variations(parent)
    picker = Picker(parent, variations)
    if not picker.attributes:
        screen.say(f"{parent.name} has no variations for sale", warn=True)
        return
    sheet = Sheet(screen.th, parent.name)
    _show_picker(screen, sheet, picker)
    sheet.open()


def _show_picker(screen: SaleView, sheet: Sheet, picker: Picker) -> None:
    th = screen.th
    sheet.body.clear_widgets()
    for attribute in picker.attributes:
        sheet.note(attribute, color=theme.MUTED)
        row = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
        for option in picker.options(attribute):
            chosen = picker.chosen.get(attribute) == option.value
            b = PosButton(
                text=option.value,
                font_size=th.font,
                disabled=not option.available,
                tone=theme.ACCENT if chosen else theme.TILE,
                on_release=lambda _b, a=attribute, v=option.value: _show_picker(
                    screen, sheet, picker.choose(a, v)
                ),
            )
            b.role = "option"
            row.add_widget(b)
        sheet.add(row)
    match = picker.match
    if match is not None and len(picker.chosen) == len(picker.attributes):
        price = screen.price(match)
        sheet.buttons(
            [(f"Add {match.name} · {price}", lambda: _added(screen, sheet, match))],
            tone=theme.ACCENT,
        )
    else:
        sheet.note("Choose " + " and ".join(a for a in picker.attributes if a not in picker.chosen))
    sheet.add(BoxLayout())


def _added(screen: SaleView, sheet: Sheet, product: Product) -> None:
    sheet.dismiss()
    screen.add(product)


def line_menu(screen: SaleView, index: int) -> None:
    line = screen.session.cart.lines[index]
    sheet = Sheet(screen.th, f"{line.quantity} x {line.product.name}")

    def remove(approval: Approval | None = None) -> None:
        sheet.dismiss()
        try:
            screen.session.remove(index, approval)
        except NeedsManager as need:  # a line rung up before the last: a void
            name = f"void of {line.quantity} x {line.product.name}"
            screen.spawn(ask_manager(screen, Action.VOID, str(need), name, remove))

    def discount() -> None:
        sheet.dismiss()
        _discount_sheet(screen, index)

    sheet.choices([("Discount this line", discount), ("Remove this line", remove)])
    sheet.open()


def discount(screen: SaleView, index: int | None) -> None:
    if screen.session.cart.is_empty:
        screen.say("Add a product before giving a discount", warn=True)
        return
    _discount_sheet(screen, index)


def _discount_sheet(screen: SaleView, index: int | None) -> None:
    """Percent buttons, or an amount typed on the keypad; index None means the whole sale."""
    s, th = screen.session, screen.th
    what = "the whole sale" if index is None else s.cart.lines[index].product.name
    sheet = Sheet(th, f"Discount {what}")

    def apply(d: Discount | None, approval: Approval | None = None) -> None:
        try:
            if index is None:
                s.set_cart_discount(d, approval)
            else:
                s.set_line_discount(index, d, approval)
        except NeedsManager as need:
            words = "no discount" if d is None else f"{d.label(s.cart.settings.locale)} off"
            again = partial(apply, d)
            screen.spawn(ask_manager(screen, Action.DISCOUNT, str(need), words, again))
            return
        except (CartError, ValueError) as exc:
            message.text = str(exc)
            return
        sheet.dismiss()

    sheet.buttons([(f"{p}%", partial(apply, Discount.percent(Decimal(p)))) for p in PERCENTS])
    digits = {"v": ""}
    amount = sheet.note("Or type an amount off: ")

    def key(k: str) -> None:
        digits["v"] = keyed(digits["v"], k, limit=8)
        amount.text = "Or type an amount off: " + typed_amount(digits["v"], s.cart.currency).format(
            s.cart.settings.locale
        )

    sheet.buttons([(k, partial(key, k)) for k in "1234567"])
    sheet.buttons([(k, partial(key, k)) for k in ("8", "9", "0", "00", theme.BACKSPACE)])
    actions = sheet.buttons(
        [
            (
                "Take the amount off",
                lambda: apply(Discount.fixed(typed_amount(digits["v"], s.cart.currency))),
            ),
            ("No discount", lambda: apply(None)),
        ],
        tone=theme.ACCENT,
    )
    actions.children[0].tone = theme.TILE  # "No discount" (added last, first child) is not the act
    message = sheet.note("", color=theme.WARN)
    sheet.add(BoxLayout())  # the rest of the sheet stays empty below the keys
    sheet.open()


async def ask_manager(
    screen: SaleView, action: Action, why: str, detail: str, again: Callable[[Approval], None]
) -> None:
    """A manager's PIN for `action` on this sale; approved (and recorded), `again` goes on."""
    staff = screen.services.staff
    if staff is None:  # no staff on the device: nobody could approve
        screen.say(why, warn=True)
        return
    cart_id = screen.session.cart.id

    async def approve(name: str, pin: str) -> None:
        approval = await staff.approve(action, name, pin, subject=cart_id, detail=detail)
        again(approval)

    managers = await staff.managers()
    what = why.removesuffix(" needs a manager's PIN")
    manager_sheet(screen.th, what, managers, approve, screen.spawn).open()


def customer(screen: SaleView) -> None:
    th, s = screen.th, screen.session
    sheet = Sheet(th, "Customer")
    typed = sheet.note("Name, email or phone: ")
    found = BoxLayout(orientation="vertical", spacing=th.pad)
    sheet.add(found)

    async def lookup(text: str) -> None:
        people = await s.find_customers(text)
        found.clear_widgets()
        for c in people[:4]:
            b = PosButton(
                text=f"{c.display_name} · {c.email or c.phone}",
                font_size=th.font,
                size_hint_y=None,
                height=th.row,
                on_release=partial(_attach, s, sheet, c),
            )
            found.add_widget(b)
        if text and not people:
            found.add_widget(sheet.note("Nobody found"))

    def on_text(text: str) -> None:
        typed.text = f"Name, email or phone: {text}"
        screen.spawn(lookup(text))

    if s.customer is not None:
        sheet.buttons(
            [
                (
                    f"Remove {s.customer.display_name} from the sale",
                    partial(_attach, s, sheet, None, None),
                )
            ]
        )
    sheet.add(Keyboard(th, typed=on_text, done=sheet.dismiss))
    sheet.open()


def _attach(s: SaleSession, sheet: Sheet, c: Customer | None, _button: object = None) -> None:
    s.attach_customer(c)
    sheet.dismiss()


def _spawn(screen: SaleView, job: Callable[..., Coroutine[Any, Any, None]], *args: str) -> None:
    """Start `job(*args)` at the tap: a coroutine made beforehand could run only once."""
    screen.spawn(job(*args))


async def parked(screen: SaleView) -> None:
    s = screen.session
    sales = await s.parked()
    sheet = Sheet(screen.th, "Parked sales")
    if not sales:
        sheet.note("No sales are parked", color=theme.MUTED)

    async def resume(cart_id: str) -> None:
        try:
            told = await s.resume_sale(cart_id)
        finally:
            sheet.dismiss()
        screen.tell(told)
        await screen.refresh_parked()

    locale = s.cart.settings.locale
    sheet.choices(
        [
            (
                f"{p.label or 'Sale'} · {items(p.item_count)} · {p.total.format(locale)} · parked "
                f"{p.parked_at.astimezone().strftime('%H:%M')}",
                partial(_spawn, screen, resume, p.id),
            )
            for p in sales
        ]
    )
    sheet.open()


def failed_orders(screen: SaleView) -> None:
    sheet = Sheet(screen.th, "Orders the store refused")
    failed = screen.services.failed_orders()
    if not failed:
        sheet.note("No failed orders", color=theme.MUTED)

    async def retry(order_id: str, number: str) -> None:
        told = await screen.session.retry_upload(order_id, number)
        sheet.dismiss()
        screen.tell(told)

    for f in failed:
        sheet.note(
            f"{f.number} · {f.total.format(screen.session.cart.settings.locale)}",
            size=screen.th.font,
        )
        sheet.note(f"The store said: {f.reason}", color=theme.WARN, size=screen.th.small)
        sheet.buttons([(f"Retry {f.number}", partial(_spawn, screen, retry, f.order_id, f.number))])
    sheet.add(BoxLayout())
    sheet.open()


def sale_done(screen: SaleView, done: Completed, big: str, small: str) -> None:
    th = screen.th
    sheet = Sheet(th, "Sale complete", back="New sale")
    change = sheet.note(big, size=th.huge)
    change.bold, change.height = True, int(th.huge * 1.4)
    sheet.note(small, color=theme.MUTED)
    if done.printer_error:
        problem = sheet.note(done.printer_error, color=theme.WARN)
        problem.height = th.row * 1.5  # two lines at 800x480

        async def print_again() -> None:
            try:
                await screen.session.reprint()
            except PrinterError as exc:
                problem.text = f"Still not printed. {exc}."
                return
            finally:
                screen.services.printer_used()
            problem.text, problem.color = "The receipt has printed", theme.TEXT

        sheet.buttons([("Print the receipt again", lambda: screen.spawn(print_again()))])
    receipt = screen.services.receipt_image(done.order)

    def show_receipt() -> None:
        view = Sheet(th, f"Receipt {done.order.number}")
        view.add(Image(source=str(receipt), fit_mode="contain"))
        view.open()

    if receipt is not None:
        sheet.buttons([("View receipt", show_receipt)])
    sheet.add(BoxLayout())
    sheet.open()


def hand_back(screen: SaleView, left: LeftPayment) -> None:
    """The cash to give back, large, until the cashier says it is done: leaving the pay sheet
    puts no money back in the customer's hand by itself."""
    th = screen.th
    sheet = Sheet(th, "Payment cancelled", back="Handed back")
    amount = sheet.note(left.message, size=th.huge)
    amount.bold, amount.height = True, int(th.huge * 1.4)
    sheet.note(left.detail, color=theme.MUTED)
    sheet.add(BoxLayout())
    sheet.open()
