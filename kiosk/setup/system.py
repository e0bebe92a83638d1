"""The wizard's real dependencies: the initial sync through the sync engine, and the hardware
tests through the till's own printer and scanner code. The screens build SetupDeps from these."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime

from kiosk.config import Config
from kiosk.connectors.errors import ConnectorError
from kiosk.setup.steps import Progress

POLL_S = 0.5  # how often the progress bar is told how far the initial sync has got
SCAN_WAIT_S = 20.0


class EngineSync:
    """The first copy of the catalog, by one pass of the sync engine (resumable: it continues
    from its cursors after a cancel or a crash), its progress read from sync_state."""

    async def run(self, config: Config, progress: Progress) -> Mapping[str, int]:
        from kiosk.connectors.factory import open_connector
        from kiosk.secrets import load_secrets
        from kiosk.store import catalog, sync_state
        from kiosk.store.db import Database
        from kiosk.sync.engine import SyncEngine

        async with await Database.open(config.db_path) as db:
            connector = open_connector(
                config, load_secrets(config.data_dir), locale=config.shop.locale
            )
            engine = SyncEngine(
                db, connector, clock=lambda: datetime.now(UTC), settings=config.sync
            )
            task = asyncio.ensure_future(engine.run_once())
            try:
                while not task.done():
                    # A bounded wait, not a sleep: it returns the moment the pass ends.
                    await asyncio.wait({task}, timeout=POLL_S)
                    status = (await sync_state.get_sync_status(db)).initial_sync
                    progress(status.done, status.total)
                report = task.result()
            finally:
                if not task.done():
                    task.cancel()  # the wizard was cancelled: the pass stops, resumable
                await connector.close()
            if report.errors:
                raise ConnectorError("; ".join(report.errors))
            counts = await catalog.counts(db)
        return {
            "products": counts.products,
            "variations": counts.variations,
            "categories": counts.categories,
            "customers": counts.customers,
        }


class DeviceTests:
    """The hardware step's tests on the counter's own printer, drawer and scanners."""

    async def print_test(self, config: Config) -> None:
        from kiosk.hardware.printers import escpos_printer, printer_uri, receipt_columns
        from kiosk.hardware.test_page import test_page

        uri = printer_uri(config.hardware)
        if not uri:
            raise RuntimeError("no printer is set or plugged in")
        page = test_page(
            config.device.name,
            uri,
            receipt_columns(config.hardware),
            now=datetime.now().astimezone(),
        )
        await escpos_printer(config.hardware, uri).print_receipt(page)

    async def open_drawer(self, config: Config) -> None:
        from kiosk.hardware.printers import escpos_printer, printer_uri

        uri = printer_uri(config.hardware)
        if not uri:
            raise RuntimeError("the drawer opens through the printer, and none is set")
        await escpos_printer(config.hardware, uri).open_drawer()

    async def read_code(self, config: Config) -> str | None:
        from kiosk.hardware.scanner_setup import scanner_options
        from kiosk.hardware.scanners import ScannerManager, SystemDeviceSource

        got: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        async def on_code(_name: str, code: str) -> None:
            if not got.done():
                got.set_result(code)

        manager = ScannerManager(SystemDeviceSource(scanner_options(config.hardware)), on_code)
        try:
            await manager.scan()
            return await asyncio.wait_for(got, SCAN_WAIT_S)
        except TimeoutError:
            return None
        finally:
            await manager.stop()
