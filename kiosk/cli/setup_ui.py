"""`kiosk ui` on a device not set up yet: the setup wizard on the screen, then the sale screen.

A device needs setting up when no store is configured, or when the wizard's saved state says it
was started and not finished (it resumes at its step). This is the wizard's composition root:
the real network, store check, sync engine, hardware tests and staff accounts. When the wizard
is done, the process runs itself again (exec, same arguments, same process id for systemd), so
the sale screen starts exactly as on any later boot, with the new settings, staff and reader.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.cli.output import UsageError
from kiosk.cli.provision_file import SECRET_CLASSES
from kiosk.config import Config
from kiosk.config_platforms import StripeConfig
from kiosk.provisioning.apply import check_store
from kiosk.provisioning.staff import DbStaff
from kiosk.provisioning.wifi import NmWifi
from kiosk.reset.wipe import DB_NAME
from kiosk.runtime import Runtime
from kiosk.setup.choices import FieldSpec, StoreKind
from kiosk.setup.network_tools import CellularError, NetworkTools, Seen
from kiosk.setup.state import load_state, state_path
from kiosk.setup.steps import STEPS, SetupDeps, Wizard
from kiosk.setup.system import DeviceTests, EngineSync

STORES = (
    StoreKind(
        "woocommerce",
        "WooCommerce",
        (
            FieldSpec("url", "Shop address", hint="https://your-shop.com"),
            FieldSpec(
                "consumer_key", "Consumer key", hint="ck_… (WooCommerce > Settings > REST API)"
            ),
            FieldSpec("consumer_secret", "Consumer secret", secret=True, hint="cs_…"),
        ),
    ),
    StoreKind(
        "shopify",
        "Shopify",
        (
            FieldSpec("shop", "Shop", hint="your-shop.myshopify.com"),
            FieldSpec("token", "Access token", secret=True, hint="shpat_… (the till's app)"),
            FieldSpec("url", "API address", hint="Leave empty (only for a test shop)"),
        ),
    ),
)


def needs_setup(config: Config) -> bool:
    """No store configured, or a wizard started and not finished."""
    if not config.store.platform:
        return True
    if not state_path(config.data_dir).exists():
        return False  # set up another way (kiosk provision, a kiosk.toml): nothing to resume
    return not load_state(config.data_dir, STEPS[0]).finished


async def _scan() -> list[Seen]:
    from kiosk.network import nm_setup

    bus = nm_setup.open_bus()
    try:
        return [Seen(n.ssid, n.signal, n.security) for n in await nm_setup.scan(bus)]
    finally:
        bus.close()


async def _cellular(apn: str, pin: str | None) -> None:
    from kiosk.network import nm_setup

    try:
        nm_setup.check_cellular(apn, pin)
    except ValueError as exc:
        raise CellularError("pin" if "PIN" in str(exc) else "apn", str(exc)) from None
    try:
        bus = nm_setup.open_bus()
        try:
            await nm_setup.set_cellular(bus, apn, pin)
            await nm_setup.check_cellular_link(bus)
        finally:
            bus.close()
    except nm_setup.WrongPin as exc:
        raise CellularError("pin", str(exc).replace(" with --pin", "")) from None
    except nm_setup.SetupError as exc:
        raise CellularError("apn", str(exc)) from None


def network_tools() -> NetworkTools:
    from kiosk.network.country import SystemRegulatory

    try:
        from kiosk.network import nm_setup  # noqa: F401 - sdbus comes with the network extra
    except ImportError:
        return NetworkTools(regulatory=SystemRegulatory())
    return NetworkTools(scan=_scan, regulatory=SystemRegulatory(), cellular=_cellular)


def wizard_for(config: Config) -> Wizard:
    from kiosk.network.system import read_link

    deps = SetupDeps(
        wifi=NmWifi(),
        link=read_link,
        check_store=check_store,
        secret_classes=SECRET_CLASSES,
        sync=EngineSync(),
        hardware=DeviceTests(),
        staff=DbStaff(config.data_dir / DB_NAME),
    )
    return Wizard(config.data_dir, deps, config.path)


async def run_setup(
    rt: Runtime, *, size: str, fullscreen: bool, check_display: Callable[[], None]
) -> int:
    """The wizard on the screen; once done, `kiosk ui` again (the sale screen)."""
    from kiosk.ui.boot import prepare
    from kiosk.ui.theme import parse_size

    try:
        dims = parse_size(size)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    check_display()
    prepare(dims, fullscreen=fullscreen, home=rt.config.data_dir / "kivy")
    from kiosk.ui import driver as ui_driver
    from kiosk.ui.screens.wizard import Setup
    from kiosk.ui.setup_app import SetupApp, run_setup_app

    setup = Setup(
        wizard=wizard_for(rt.config),
        stores=STORES,
        tools=network_tools(),
        reader_base=rt.config.section(StripeConfig).api_base,
    )
    holder: dict[str, Any] = {}
    driver_path = os.environ.get(ui_driver.ENV)

    async def on_ready(app: SetupApp) -> None:
        if driver_path:
            holder["server"] = await ui_driver.Driver(app).serve(Path(driver_path))
        print("kiosk ui: setup wizard ready", flush=True)

    try:
        done = await run_setup_app(setup, on_ready=on_ready)
    finally:
        if "server" in holder:
            holder["server"].close()
    if done:
        print("kiosk ui: setup done, starting the till", flush=True)
        await rt.db.close()  # exec runs no `finally`: the database is closed here
        os.execv(sys.executable, sys.orig_argv)
    return 0  # the window was closed: the next start resumes at the step it was on
