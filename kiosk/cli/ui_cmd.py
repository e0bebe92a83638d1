"""`kiosk ui`: the touchscreen app. `kiosk demo` runs it against the simulated store."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from kiosk.cli.output import UsageError
from kiosk.runtime import Runtime
from kiosk.store.db import Database

DEFAULT_SIZE = "800x480"


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
    if not args.agent:
        return await run_ui(rt, size=args.size, fullscreen=args.fullscreen)
    async with agent_task(rt):
        return await run_ui(rt, size=args.size, fullscreen=args.fullscreen)


async def run_ui(rt: Runtime, *, size: str, fullscreen: bool) -> int:
    """The app over an open runtime, with the simulated printer and reader (the real ones come
    with the hardware and card-reader issues)."""
    from kiosk.ui.theme import parse_size

    try:
        dims = parse_size(size)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    check_display()
    from kiosk.ui.boot import prepare

    prepare(dims, fullscreen=fullscreen, home=rt.config.data_dir / "kivy")
    # Kivy is imported only now, after prepare() has set it up.
    from kiosk.counter.session import SaleSession
    from kiosk.hardware.receipt_image import ImagePrinter
    from kiosk.payments.fake import SimulatedReader
    from kiosk.store import catalog
    from kiosk.ui import app as ui_app
    from kiosk.ui import driver as ui_driver

    settings = await catalog.load_shop_settings(rt.db)
    receipts = rt.config.data_dir / "receipts"
    printer = ImagePrinter(receipts)
    reader = SimulatedReader(interactive=True)
    holder: dict[str, Any] = {}

    def offline() -> bool:
        app = holder.get("app")
        status = getattr(app, "last_status", None)
        return bool(status is not None and status.online is False)

    session = SaleSession(rt.db, rt.checkout, printer, reader, is_offline=offline)
    from kiosk.network.system import system_network

    services = ui_app.Services(
        db=rt.db,
        session=session,
        printer=printer,
        reader=reader,
        shop=(settings.name if settings else "") or rt.config.device.name,
        cashier=rt.config.device.cashier,
        sim_reader=reader,
        receipts=receipts,
        network=system_network(),
    )
    driver_path = os.environ.get(ui_driver.ENV)

    async def on_ready(app: ui_app.PosApp) -> None:
        holder["app"] = app
        if driver_path:
            server = await ui_driver.Driver(app).serve(Path(driver_path))
            holder["server"] = server
        print("kiosk ui: ready", flush=True)

    try:
        return await ui_app.run_app(services, on_ready=on_ready)
    finally:
        if "server" in holder:
            holder["server"].close()


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
