"""The Kivy app on asyncio: one loop runs the screen, SQLite and the store's HTTP together.

Import kiosk.ui.boot.prepare() before this module: Kivy reads its settings at import time.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window

from kiosk import system_notify
from kiosk.core.models import Order
from kiosk.counter.browser import CatalogBrowser
from kiosk.counter.orders_desk import OrdersDesk, ReceiptLayout
from kiosk.counter.pickup_desk import PickupDesk
from kiosk.counter.reset_desk import ResetDesk
from kiosk.counter.returns_desk import ReturnsDesk
from kiosk.counter.session import SaleSession
from kiosk.counter.shift_desk import ShiftDesk
from kiosk.counter.status import CounterStatus, FailedOrder, counter_status
from kiosk.counter.web_orders import WebOrderFinder
from kiosk.hardware.base import PrinterState, PrinterStatus, ReceiptPrinter
from kiosk.hardware.receipt_image import image_path
from kiosk.hardware.test_page import test_page
from kiosk.network.base import LinkKind, NetworkInfo
from kiosk.network.system import NoNetworkInfo
from kiosk.payments.base import CardReader, ReaderLevers, WaitsForCard
from kiosk.shifts.shift import Who
from kiosk.staff.signin import StaffSession
from kiosk.store.db import Database
from kiosk.store.sync_state import LinkState
from kiosk.ui import theme
from kiosk.ui.actions import Actions
from kiosk.ui.screens.sale import SaleScreen
from kiosk.ui.screens.signin import PinSheet, sign_in_sheet
from kiosk.ui.services import ScreenServices
from kiosk.ui.wedge import Wedge
from kiosk.ui.widgets.status_bar import BarState

log = logging.getLogger(__name__)


class ScannerShown(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def detail(self) -> str: ...


class ScannerList(Protocol):
    def list(self) -> Sequence[ScannerShown]: ...


STATUS_EVERY_S = 1.0
# The bar's few words for the printer; the Devices sheet (a tap on them) says the rest.
PRINTER_WORDS = {
    PrinterState.READY: "Printer ready",
    PrinterState.OFFLINE: "Printer offline",
    PrinterState.PAPER_OUT: "Printer: no paper",
    PrinterState.COVER_OPEN: "Printer: cover open",
    PrinterState.BUSY: "Printer busy",
}
# Asking a printer its state is a round trip on its cable (and a USB printer without a return
# endpoint is reopened, which resets it): every few seconds is enough, and each job reports too.
PRINTER_EVERY_S = 10.0
ENTER, TAB = 13, 9


@dataclass(slots=True)
class Services:
    db: Database
    session: SaleSession
    printer: ReceiptPrinter
    reader: CardReader
    shop: str = ""
    cashier: str = ""
    network: NetworkInfo = field(default_factory=NoNetworkInfo)
    sim_reader: ReaderLevers | None = None
    receipts: Path | None = None  # where the simulated printer leaves its images
    printer_name: str = "Receipt images"  # the printer's URI, for the test page
    receipt_columns: int = 48
    receipt_layout: ReceiptLayout = field(default_factory=ReceiptLayout)  # for reprints
    scanners: ScannerList | None = None  # the scanners read directly (not as a keyboard)
    staff: StaffSession | None = None  # sign-in and the lock; None: the device has no staff
    data_dir: Path | None = None  # where a reset request is left
    reset_requested: bool = False  # the till closed for a factory reset (kiosk.reset.request)
    web_orders: WebOrderFinder | None = None  # asks the store for a web order by number

    def scanner_lines(self) -> list[str]:
        """The scanners and their state, in words, for the Devices sheet."""
        if self.scanners is None:
            return ["Scanners: in keyboard mode, they type into the till"]
        found = self.scanners.list()
        if not found:
            return ["No scanner found: plug one in, or set hardware.scanners in kiosk.toml"]
        return [f"Scanner {s.name}: {s.state}" + (f" ({s.detail})" if s.detail else "")
                for s in found]  # fmt: skip

    def receipt_image(self, order: Order) -> Path | None:
        if self.receipts is None:
            return None
        path = image_path(self.receipts, order.number or order.id)
        return path if path.exists() else None


class PosApp(App):
    title = "Universal Offline POS"

    def __init__(self, services: Services, **kw: Any) -> None:
        super().__init__(**kw)
        self.services = services
        self.actions = Actions(self._failed)
        # Tasks that may wait on a person (a card on the reader): "settled" does not wait for
        # them while the reader waits, or a test would wait for itself.
        self.tasks, self.person_tasks = self.actions.tasks, self.actions.person_tasks
        self.errors = self.actions.errors
        self.wedge = Wedge()
        self.last_status: CounterStatus | None = None
        self.screen: SaleScreen | None = None
        self.ready = asyncio.Event()
        self._printer_status: PrinterStatus | None = None
        self._printer_asked = 0.0
        self.notify = system_notify.notifier()
        self.lock_sheet: PinSheet | None = None
        self._locking = False  # the sign-in sheet is being made: one at a time

    def build(self) -> SaleScreen:
        th = theme.theme_for(*Window.size)
        screens: ScreenServices = ForScreens(self)  # checked here against the Protocol
        self.screen = SaleScreen(screens, th)
        Window.bind(on_textinput=self._typed, on_key_down=self._key_down)
        Window.bind(on_touch_down=self._touched)
        Clock.schedule_interval(lambda _dt: self.spawn(self.refresh_status()), STATUS_EVERY_S)
        # systemd's watchdog (kiosk-ui.service) is pinged from Kivy's own clock: a frame loop
        # that freezes stops the pings, and systemd restarts the till.
        if (every := self.notify.watchdog_every_s) is not None:
            Clock.schedule_interval(lambda _dt: self.notify.watchdog(), every)
        self.spawn(self._start())
        return self.screen

    async def _start(self) -> None:
        assert self.screen is not None
        await self.screen.load()
        await self.refresh_status()
        await self.show_lock()  # with staff on the device, nobody sells before signing in
        # What start-up made lives as long as the app: a full garbage collection need not walk
        # it again, which would stall a scan for a few hundred milliseconds now and then.
        gc.freeze()
        # Ready once the first frame with the catalog on it has been drawn.
        Clock.schedule_once(lambda _dt: self._up(), 0)

    def _up(self) -> None:
        self.ready.set()
        self.notify.ready("selling")  # kiosk-ui.service is Type=notify: the till is up

    def spawn(self, coro: Coroutine[Any, Any, Any], *, waits_on_person: bool = False) -> None:
        """Run a coroutine on the app's loop; its failure is shown, never swallowed."""
        self.actions.spawn(coro, waits_on_person=waits_on_person)

    def _failed(self, words: str) -> None:
        if self.screen is not None:
            self.screen.say(words, warn=True)

    async def settled(self) -> None:
        """Until every action started so far (and any it started) has finished, or waits on a
        person: a charge the reader holds until a card is presented (or the simulated reader's
        Approve or Decline is tapped)."""
        reader = self.services.reader if isinstance(self.services.reader, WaitsForCard) else None
        while True:
            person = reader is not None and reader.pending is not None
            busy = {t for t in self.tasks if not (person and t in self.person_tasks)}
            if not busy:
                return
            waits: set[asyncio.Future[Any]] = set(busy)
            if reader is not None and not person and busy & self.person_tasks:
                waits.add(asyncio.ensure_future(reader.wait_pending()))
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waits - busy:
                    w.cancel()

    # -- staff: the lock and sign-in ---------------------------------------------------------------

    def _touched(self, _window: Any, _touch: Any) -> bool:
        """Every touch keeps the till awake; one on a locked till opens the sign-in instead."""
        staff = self.services.staff
        if staff is None or self.lock_sheet is not None:
            return False  # the sign-in sheet takes its own touches
        if self._locking:
            return True  # the sign-in sheet is about to open: this tap is not for the sale
        if staff.touch():
            return False
        self.spawn(self.show_lock())
        return True  # the tap that finds the till locked must not sell

    async def show_lock(self) -> None:
        """The sign-in sheet, over whatever is open, until someone signs in."""
        staff = self.services.staff
        if staff is None or self.lock_sheet is not None or self._locking or self.screen is None:
            return
        last = staff.member.name if staff.member else ""
        th = self.screen.th
        self._locking = True  # the status tick may ask again while the names are read
        try:
            people = await staff.who_can_sign_in()
        finally:
            self._locking = False

        def unlocked() -> None:
            self.lock_sheet = None
            self.spawn(self.refresh_status())

        sheet = sign_in_sheet(th, people, staff.sign_in, self.spawn, last=last, done=unlocked)
        self.lock_sheet = sheet
        sheet.open()

    def cashier_name(self) -> str:
        staff = self.services.staff
        if staff is not None:
            return staff.member.name if staff.member else ""
        return self.services.cashier

    # -- the scanner as a keyboard ----------------------------------------------------------------

    def _typed(self, _window: Any, text: str) -> None:
        for ch in text:
            self.wedge.feed(ch, time.monotonic())

    def _key_down(self, _window: Any, key: int, *_args: Any) -> bool:
        if key in (ENTER, TAB):
            code = self.wedge.feed("\r", time.monotonic())
            if code and self.screen is not None:
                self.spawn(self.screen.scanned(code))
            return True
        return False

    # -- the status bar -------------------------------------------------------------------------

    def printer_used(self) -> None:
        """A job just ran on the printer: the bar asks its state at the next refresh."""
        self._printer_asked = 0.0

    async def refresh_status(self) -> None:
        s = self.services
        status = await counter_status(s.db, now=datetime.now(UTC))
        self.last_status = status
        now = time.monotonic()
        if self._printer_status is None or now - self._printer_asked >= PRINTER_EVERY_S:
            self._printer_status, self._printer_asked = await s.printer.status(), now
        printer = self._printer_status
        reader = await s.session.card_status()
        online = None if status.link.state is LinkState.UNKNOWN else status.online
        link = await s.network.current()
        named = link.kind not in (LinkKind.UNKNOWN, LinkKind.NONE)
        ready = printer.state is PrinterState.READY
        if reader.ready:
            reader_text = "Reader ready"
        elif online is False:
            reader_text = "Card: offline"
        else:
            reader_text = f"Reader: {reader.detail or reader.state.value}"
        state = BarState(
            shop=s.shop,
            cashier=self.cashier_name(),
            online=online,
            link=link.label if named else "",
            metered=named and link.metered,
            no_network=link.kind is LinkKind.NONE,
            link_detail=status.link.error,
            waiting=status.uploads.waiting,
            failed=status.failed_count,
            printer=PRINTER_WORDS[printer.state],
            printer_ok=ready,
            reader=reader_text,
            reader_ok=reader.ready,
            time=datetime.now().astimezone().strftime("%H:%M"),
        )
        if self.screen is not None:
            self.screen.bar.show(state)
        if s.staff is not None and s.staff.locked:  # idle for too long: the lock screen
            await self.show_lock()


class ForScreens:
    """The app as its screens see it (ScreenServices), in a plain class: to mypy a Kivy subclass
    is Any, and would pass for any Protocol unchecked."""

    def __init__(self, app: PosApp) -> None:
        self._app, self._s = app, app.services

    @property
    def session(self) -> SaleSession:
        return self._s.session

    @property
    def printer(self) -> ReceiptPrinter:
        return self._s.printer

    @property
    def sim_reader(self) -> ReaderLevers | None:
        return self._s.sim_reader

    @property
    def staff(self) -> StaffSession | None:
        return self._s.staff

    def reset_desk(self) -> ResetDesk | None:
        s = self._s
        if s.data_dir is None:
            return None
        return ResetDesk(s.db, s.data_dir, now=lambda: datetime.now(UTC))

    def reset_now(self) -> None:
        self._s.reset_requested = True
        self._app.stop()

    def shift_desk(self) -> ShiftDesk:
        s = self._s

        def who() -> Who:
            member = s.staff.member if s.staff is not None else None
            return Who(member.name, member.id) if member is not None else Who(s.cashier)

        return ShiftDesk(
            s.db, s.printer, now=lambda: datetime.now(UTC), who=who, width=s.receipt_columns
        )

    def lock(self) -> None:
        if self._s.staff is not None:
            self._s.staff.lock()
            self._app.spawn(self._app.show_lock())

    def browser(self, page_size: int) -> CatalogBrowser:
        return CatalogBrowser(self._s.db, page_size)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, waits_on_person: bool = False) -> None:
        self._app.spawn(coro, waits_on_person=waits_on_person)

    def printer_used(self) -> None:
        self._app.printer_used()

    def failed_orders(self) -> Sequence[FailedOrder]:
        """The refused orders as of the bar's last refresh (the one the cashier tapped)."""
        status: CounterStatus | None = self._app.last_status
        return status.failed if status is not None else ()

    def orders_desk(self) -> OrdersDesk:
        return OrdersDesk(
            self._s.db,
            self._s.printer,
            layout=self._s.receipt_layout,
            now=lambda: datetime.now(UTC),
        )

    def _who(self) -> str:
        """The signed-in member's name, else the device's cashier: who records a refund."""
        s = self._s
        member = s.staff.member if s.staff is not None else None
        return member.name if member is not None else s.cashier

    def returns_desk(self) -> ReturnsDesk:
        s = self._s
        return ReturnsDesk(
            s.db,
            now=lambda: datetime.now(UTC),
            staff=self._who,
            drawer_of=s.printer,
            web_orders=s.web_orders,
        )

    def pickup_desk(self) -> PickupDesk:
        return PickupDesk(self._s.db, clock=lambda: datetime.now(UTC), staff=self._who)

    def receipt_image(self, order: Order) -> Path | None:
        return self._s.receipt_image(order)

    def scanner_lines(self) -> list[str]:
        return self._s.scanner_lines()

    async def print_test_page(self) -> None:
        s, now = self._s, datetime.now().astimezone()
        await s.printer.print_receipt(test_page(s.shop, s.printer_name, s.receipt_columns, now=now))


async def run_app(
    services: Services, *, on_ready: Callable[[PosApp], Coroutine[Any, Any, Any]] | None = None
) -> int:
    """Run the app until its window closes (or app.stop()); `on_ready` runs beside it."""
    await services.session.start()
    app = PosApp(services)
    services.session.watch(app_redraw(app))  # the screen redraws after every change
    jobs = [app.async_run(async_lib="asyncio")]
    if on_ready is not None:
        jobs.append(_when_ready(app, on_ready))
    await asyncio.gather(*jobs)
    return 0


def app_redraw(app: PosApp) -> Callable[[], None]:
    def redraw() -> None:
        if app.screen is not None:
            app.screen.redraw()

    return redraw


async def _when_ready(app: PosApp, job: Callable[[PosApp], Coroutine[Any, Any, Any]]) -> None:
    await app.ready.wait()
    await job(app)
