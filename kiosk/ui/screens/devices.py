"""The Devices sheet (tap the printer in the status bar): the printer's state, a test page, the
drawer for a no-sale, the last receipt again, and the scanners found; the same code paths as
`kiosk hw` and `kiosk receipt`; the shift, the staff, and the factory reset."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout

from kiosk.core.cart import CartError
from kiosk.counter.reset_desk import ResetDesk
from kiosk.hardware.base import PrinterError
from kiosk.staff.drawer import Reason
from kiosk.staff.overrides import Action, Approval
from kiosk.ui import theme
from kiosk.ui.screens.shift import shift_sheet
from kiosk.ui.screens.signin import manager_sheet
from kiosk.ui.screens.staff_admin import staff_admin
from kiosk.ui.screens.view import SaleView
from kiosk.ui.widgets.basics import PosLabel
from kiosk.ui.widgets.sheet import Sheet


async def devices(screen: SaleView) -> None:
    services, th = screen.services, screen.th
    sheet = Sheet(th, "Devices")
    status = await services.printer.status()
    state = sheet.note(
        f"Printer: {status.message}", color=theme.TEXT if status.ready else theme.WARN
    )
    outcome = sheet.note("", color=theme.MUTED)

    def run(job: Callable[[], Awaitable[str]]) -> Callable[[], None]:
        async def act() -> None:
            try:
                outcome.text, outcome.color = await job(), theme.TEXT
            except (PrinterError, CartError) as exc:
                outcome.text, outcome.color = str(exc), theme.WARN
            services.printer_used()
            now = await services.printer.status()
            state.text = f"Printer: {now.message}"
            state.color = theme.TEXT if now.ready else theme.WARN

        return lambda: screen.spawn(act())

    async def test_print() -> str:
        await services.print_test_page()
        return "Test page printed"

    async def no_sale() -> str:
        staff = services.staff
        if staff is None:  # no staff on the device: nobody to approve or record
            await services.printer.open_drawer()
            return "Drawer opened (no sale)"

        async def approve(name: str, pin: str) -> None:
            approval = await staff.approve(Action.NO_SALE, name, pin, detail="no sale")
            try:
                await staff.open_drawer(services.printer, Reason.NO_SALE, approval)
            except PrinterError as exc:
                outcome.text, outcome.color = str(exc), theme.WARN
                return
            outcome.text, outcome.color = f"Drawer opened (no sale, {name} approved)", theme.TEXT

        what = "Opening the drawer without a sale"
        manager_sheet(th, what, await staff.managers(), approve, screen.spawn).open()
        return "A manager's PIN opens the drawer"

    async def reprint() -> str:
        await screen.session.reprint()
        return "The last receipt was printed again"

    sheet.buttons(
        [
            ("Print a test page", run(test_print)),
            ("Open the drawer", run(no_sale)),
            ("Last receipt again", run(reprint)),
        ]
    )
    more = [("Shift and cash", lambda: screen.spawn(shift_sheet(screen, services.shift_desk())))]
    if (staff := services.staff) is not None:  # staff are managed once there are any
        more.append(("Staff", lambda: screen.spawn(staff_admin(screen, staff))))
    if (desk := services.reset_desk()) is not None:
        more.append(("Factory reset", lambda: screen.spawn(factory_reset(screen, desk, sheet))))
    sheet.buttons(more)
    scanners = BoxLayout(orientation="vertical", size_hint_y=None, spacing=th.pad)
    sheet.add(scanners)

    def show_scanners(*_: object) -> None:
        """Kept up to date while the sheet is open: a scanner plugged in shows up."""
        lines = services.scanner_lines()
        if [w.text for w in reversed(scanners.children)] == lines:
            return
        scanners.clear_widgets()
        for line in lines:
            scanners.add_widget(
                PosLabel(text=line, font_size=th.small, size_hint_y=None, height=th.row * 0.8)
            )
        scanners.height = len(lines) * (th.row * 0.8 + th.pad)

    show_scanners()
    ticker = Clock.schedule_interval(show_scanners, 1.0)
    sheet.bind(on_dismiss=lambda *_: ticker.cancel())
    sheet.add(BoxLayout())
    sheet.open()


async def factory_reset(screen: SaleView, desk: ResetDesk, devices: Sheet) -> None:
    """Refused in words while anything waits to upload; else a manager's PIN (once there is
    staff), a last word, and the till closes to be reset and start its setup again."""
    services, th = screen.services, screen.th
    refused = await desk.refusal()
    if refused:
        devices.dismiss()
        screen.say(refused, warn=True)
        return

    def confirm(approval: Approval | None) -> None:
        sheet = Sheet(th, "Factory reset")
        warning = sheet.note(
            "This till forgets its shop, keys, catalog, staff and sales history, and starts "
            "its setup again. Everything it sold is in the store.",
            color=theme.WARN,
        )
        warning.height = th.row * 2

        async def erase() -> None:
            by = approval.approved_by.name if approval else ""
            if await desk.request(approval, by=by) is None:
                sheet.dismiss()
                screen.say(await desk.refusal(), warn=True)
                return
            services.reset_now()

        erase_button = sheet.buttons(
            [("Erase and start the setup", lambda: screen.spawn(erase()))], tone=theme.DANGER
        ).children[0]
        erase_button.role = "erase"
        sheet.open()

    devices.dismiss()
    staff = services.staff
    if staff is None:  # no staff on the device: nobody to approve, the last word is enough
        confirm(None)
        return

    async def approve(name: str, pin: str) -> None:
        confirm(await staff.approve(Action.RESET, name, pin, detail="factory reset"))

    manager_sheet(th, "A factory reset", await staff.managers(), approve, screen.spawn).open()
