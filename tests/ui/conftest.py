from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kiosk.sim.catalog import generate_export
from kiosk.sim.woocommerce import SimHandle, running_sim
from tests.network.private_bus import PrivateBus
from tests.ui.harness import Xvfb, provision

if TYPE_CHECKING:
    from tests.network.nm_mock import MockNetworkManager


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    x = Xvfb()
    try:
        yield x.display
    finally:
        x.stop()


def shop_export() -> dict[str, Any]:
    """A small shop: a few dozen products in categories, some with sizes and colours."""
    return generate_export(40, variable_share=0.25, variations_per=4, seed=11)


@pytest.fixture
async def store() -> AsyncIterator[SimHandle]:
    async with running_sim(export=shop_export()) as sim:
        yield sim


@pytest.fixture
def device(tmp_path: Path, store: SimHandle) -> Path:
    """A device's data directory, provisioned for the simulated store."""
    data_dir = tmp_path / "device"
    provision(data_dir, store)
    return data_dir


@pytest.fixture
def network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MockNetworkManager]:
    """NetworkManager (python-dbusmock's) on a private system bus, which the app reads."""
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed (Debian package `dbus`; `make test` installs it)")
    from tests.network.nm_mock import MockNetworkManager

    root = tmp_path / "dbus"
    root.mkdir()
    bus = PrivateBus(root)
    bus.start()
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)  # the app inherits it
    nm = MockNetworkManager()
    try:
        yield nm
    finally:
        nm.close()
        bus.stop()
