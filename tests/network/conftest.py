"""The private D-Bus with dbusmock's NetworkManager on it, for every test here that needs it.

sdbus is imported inside the fixtures: without it (a venv that `make` has not updated yet) the
tests that use them fail on their own instead of stopping the collection of the whole suite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.network.private_bus import PrivateBus

if TYPE_CHECKING:
    from kiosk.network.nm import NetworkManagerInfo
    from tests.network.nm_mock import MockNetworkManager


@pytest.fixture
def private_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateBus]:
    bus = PrivateBus(tmp_path)
    bus.start()
    # sd-bus (ours and the tests') finds the "system" bus here.
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)
    yield bus
    bus.stop()


@pytest.fixture
def connect_nm(private_bus: PrivateBus) -> Iterator[Callable[[], MockNetworkManager]]:
    """Opens connections to the mock NetworkManager; closes them after the test."""
    from tests.network.nm_mock import MockNetworkManager

    opened: list[MockNetworkManager] = []

    def connect() -> MockNetworkManager:
        opened.append(MockNetworkManager())
        return opened[-1]

    yield connect
    for mock in opened:
        mock.close()


@pytest.fixture
def nm(connect_nm: Callable[[], MockNetworkManager]) -> MockNetworkManager:
    return connect_nm()


@pytest.fixture
def info(private_bus: PrivateBus) -> Iterator[NetworkManagerInfo]:
    from kiosk.network.nm import NetworkManagerInfo

    reader = NetworkManagerInfo(timeout=2.0)
    yield reader
    reader.close()
