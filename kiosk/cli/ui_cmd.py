"""`kiosk ui`: the touchscreen app. `kiosk demo` runs it against the simulated store."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.cli.output import UsageError
from kiosk.payments.base import CardReader, ReaderLevers
from kiosk.runtime import Runtime, open_card_reader
from kiosk.staff.accounts import list_staff
from kiosk.staff.settings import parse_discount_limit
from kiosk.staff.signin import StaffSession
from kiosk.store.db import Database

if TYPE_CHECKING:
    from kiosk.hardware.scanners import ScannerManager, ScannerOptions

DEFAULT_SIZE = "800x480"
log = logging.getLogger(__name__)


def add_ui_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--size", default=DEFAULT_SIZE, help="window size, e.g. 800x480 or 1280x800")
    p.add_argument("--fullscreen", action="store_true", help="fill the screen (the counter)")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("ui", help="run the touchscreen app")
    add_ui_arguments(p)
    p.add_argument(
        "--agent",
        action="store_true",
        help="also run the sync agent in this process (instead of `kiosk agent` beside it)",
    )
    p.set_defaults(handler=run)


def check_display() -> None:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise UsageError(
            "there is no display to draw on (DISPLAY is not set): run this on the counter's "
            "screen or a desktop, or try `kiosk demo --text` in a terminal"
        )


async def run(args: argparse.Namespace, rt: Runtime) -> int:
    from kiosk.cli.setup_ui import needs_setup, run_setup

    if needs_setup(rt.config):  # first boot, or a wizard left unfinished: it resumes
        return await run_setup(
            rt, size=args.size, fullscreen=args.fullscreen, check_display=check_display
        )
    if not args.agent:
        return await run_ui(rt, size=args.size, fullscreen=args.fullscreen)
    async with agent_task(rt):
        return await run_ui(rt, size=args.size, fullscreen=args.fullscreen)


async def run_ui(
    rt: Runtime,
    *,
    size: str,
    fullscreen: bool,
    scanners: bool = True,
    levers: ReaderLevers | None = None,
) -> int:
    """The app over an open runtime: the configured printer (else receipts saved as images), the
    scanners read directly (with `scanners`; else only keyboard-mode scanners, which type) and the
    paired Stripe reader when [stripe] is provisioned, else the simulated one. `levers`: the
    simulated customer at the Stripe reader (the demo's), shown as buttons on the pay sheet."""
    async with open_card_reader(rt.config) as stripe_reader:
        notice = "" if stripe_reader is None else await settle_card_payments(rt, stripe_reader)
        return await _run_ui(rt, size, fullscreen, scanners, stripe_reader, levers, notice)


async def settle_card_payments(rt: Runtime, reader: CardReader) -> str:
    """At start, card payments the app stopped in the middle of are settled at Stripe; what was
    done is printed and logged, and returned in words for the screen (a failure to ask Stripe
    never stops the till)."""
    from kiosk.counter.card_reconcile import settle_open_attempts
    from kiosk.payments.stripe_api import StripeApi
    from kiosk.payments.stripe_terminal import StripeTerminalReader
    from kiosk.store import catalog

    if not isinstance(reader, StripeTerminalReader):
        return ""
    try:
        report = await settle_open_attempts(
            rt.db, StripeApi(reader.client), started_before=rt.checkout.now()
        )
    except Exception as exc:  # the next start tries again; the till sells meanwhile
        log.warning("card payments left unfinished were not settled: %s", exc)
        return ""
    for decision in report.decisions:
        log.warning("card payment %s: %s", decision.payment_id, decision.detail)
    if report.decisions:
        print(f"kiosk ui: {report.text()}", flush=True)
    settings = await catalog.load_shop_settings(rt.db)
    return report.for_staff(settings.locale if settings else "en_US")


async def _run_ui(
    rt: Runtime,
    size: str,
    fullscreen: bool,
    scanners: bool,
    stripe_reader: CardReader | None,
    levers: ReaderLevers | None,
    notice: str = "",
) -> int:
    from kiosk.ui.theme import parse_size

    try:
        dims = parse_size(size)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    scan_options: ScannerOptions | None = None
    if scanners:
        from kiosk.hardware.scanner_setup import scanner_options

        try:
            scan_options = scanner_options(rt.config.hardware)  # a bad setting stops here
        except ValueError as exc:
            raise UsageError(f"hardware: {exc}") from None
    check_display()
    from kiosk.ui.boot import prepare

    prepare(dims, fullscreen=fullscreen, home=rt.config.data_dir / "kivy")
    # Kivy is imported only now, after prepare() has set it up.
    from kiosk.counter.orders_desk import ReceiptLayout
    from kiosk.counter.session import SaleSession
    from kiosk.hardware.printers import printer_at, printer_uri, receipt_columns, receipts_folder
    from kiosk.payments.fake import SimulatedReader
    from kiosk.store import catalog
    from kiosk.ui import app as ui_app
    from kiosk.ui import driver as ui_driver

    settings = await catalog.load_shop_settings(rt.db)
    uri = printer_uri(rt.config.hardware)
    try:
        printer = printer_at(rt.config.hardware, rt.config.data_dir, uri)
    except ValueError as exc:  # hardware.printer cannot be read
        raise UsageError(f"hardware.printer: {exc}") from None
    columns = receipt_columns(rt.config.hardware)
    # The simulated reader's Approve/Decline buttons show on the pay sheet.
    if stripe_reader is None:
        simulated = SimulatedReader(interactive=True)
        reader: CardReader = simulated
        levers = simulated
    else:
        reader = stripe_reader
    holder: dict[str, Any] = {}

    def offline() -> bool:
        app = holder.get("app")
        status = getattr(app, "last_status", None)
        return bool(status is not None and status.online is False)

    staff = await staff_session(rt)
    session = SaleSession(
        rt.db,
        rt.checkout,
        printer,
        reader,
        is_offline=offline,
        receipt_width=columns,
        receipt_header=rt.config.receipt.header_lines,
        receipt_footer=rt.config.receipt.footer_lines,
        # With nobody to approve it (no staff on the device), no discount needs a manager.
        discount_limit=parse_discount_limit(rt.config.staff.discount_limit_percent)
        if staff is not None
        else None,
        voids_need_manager=staff is not None,
    )
    from kiosk.cli.web_order_lookup import web_order_finder
    from kiosk.network.system import system_network

    services = ui_app.Services(
        db=rt.db,
        session=session,
        printer=printer,
        reader=reader,
        shop=(settings.name if settings else "") or rt.config.device.name,
        cashier=rt.config.device.cashier,
        sim_reader=levers,
        receipts=None if uri else receipts_folder(rt.config.data_dir),
        printer_name=uri or "Receipt images",
        receipt_columns=columns,
        receipt_layout=ReceiptLayout(
            columns, tuple(rt.config.receipt.header_lines), tuple(rt.config.receipt.footer_lines)
        ),
        network=system_network(),
        staff=staff,
        data_dir=rt.config.data_dir,
        web_orders=web_order_finder(
            rt.config, locale=settings.locale if settings else rt.config.shop.locale
        ),
    )
    driver_path = os.environ.get(ui_driver.ENV)

    async def on_ready(app: ui_app.PosApp) -> None:
        holder["app"] = app
        if driver_path:
            server = await ui_driver.Driver(app).serve(Path(driver_path))
            holder["server"] = server
        print("kiosk ui: ready", flush=True)
        if notice and app.screen is not None:  # what start-up did about unfinished card payments
            app.screen.say(notice, warn=True)
        # After the sale screen is up: the keyboard-mode scanners already work meanwhile.
        if scan_options is not None:
            holder["scanners"] = start_scanners(scan_options, app)

    try:
        code = await ui_app.run_app(services, on_ready=on_ready)
    finally:
        if "server" in holder:
            holder["server"].close()
        if "scanners" in holder:
            await holder["scanners"].stop()
    if services.reset_requested:
        await carry_out_reset(rt)
    return code


async def carry_out_reset(rt: Runtime) -> None:
    """The touchscreen's reset request: on the appliance kiosk-reset.service does it (it stops
    this till and the agent first); a till run by hand wipes and starts again into the wizard."""
    if os.environ.get("INVOCATION_ID"):  # started by systemd: the path unit has the request
        print("kiosk ui: factory reset requested; kiosk-reset.service carries it out", flush=True)
        return
    from kiosk.reset.unsynced import pending
    from kiosk.reset.wipe import wipe

    if (await rt.db.read(pending)).total:  # something came in after all: never wiped
        print("kiosk ui: not reset, something waits to upload", flush=True)
        return
    await rt.db.close()  # exec runs no `finally`: the database is closed here
    wipe(rt.config.data_dir, None)
    print("kiosk ui: reset, starting the setup", flush=True)
    os.execv(sys.executable, sys.orig_argv)


async def staff_session(rt: Runtime) -> StaffSession | None:
    """Sign-in and the idle lock, once the device has staff; the orders record who signs in."""
    if not await list_staff(rt.db):
        return None

    def cashier(name: str) -> None:
        rt.checkout.cashier = name

    return StaffSession(
        rt.db, clock=rt.checkout.now, idle_lock_s=rt.config.staff.idle_lock_s, on_cashier=cashier
    )


def start_scanners(options: ScannerOptions, app: Any) -> ScannerManager:
    """Read the scanners this device names (kiosk.toml, udev); each code goes to the sale screen
    as a keyboard-mode scan would."""
    from kiosk.hardware.scanners import ScannerManager, SystemDeviceSource

    async def on_code(_scanner: str, code: str) -> None:
        if app.screen is not None:
            app.spawn(app.screen.scanned(code))

    manager = ScannerManager(SystemDeviceSource(options), on_code)
    manager.start()  # rescans every few seconds: a replugged scanner reads again
    app.services.scanners = manager
    return manager


@contextlib.asynccontextmanager
async def agent_task(rt: Runtime) -> AsyncIterator[None]:
    """The sync agent inside this process (the demo's; the counter runs `kiosk agent`)."""
    from kiosk.cli.sync_cmd import _engine

    # A connection of its own, as the agent process has: it notices the till's sales through
    # PRAGMA data_version, which only moves for commits made by other connections.
    db = await Database.open(rt.config.db_path)
    engine = await _engine(Runtime(rt.config, db, rt.checkout))
    await engine.run_once()  # the first sync, so the app opens on a catalog
    stop = asyncio.Event()
    task = asyncio.create_task(engine.run(stop))
    try:
        yield
    finally:
        stop.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        await engine.connector.close()
        await db.close()


__all__ = ["add_parser", "agent_task", "run_ui"]
