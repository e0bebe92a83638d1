"""Doctor runs on a fresh data dir with fake probes (the store's check is the simulator's)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.cli.demo_cmd import demo_catalog_path
from kiosk.config import Config
from kiosk.connectors.base import StoreInfo
from kiosk.doctor.base import Check, ok
from kiosk.doctor.checks import Device, Probes
from kiosk.doctor.clock import ClockState, FakeClock
from kiosk.network.base import Link, LinkKind
from kiosk.provisioning.apply import check_store
from kiosk.secrets import Secrets

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


async def _reader(_c: Config, _s: Secrets) -> Check:
    return ok("card reader", "fake reader online")


async def _printer(_c: Config) -> Device | None:
    return Device("usb:04b8:0202")


async def _scanners(_c: Config) -> list[Device]:
    return [Device("Honeywell 1900")]


async def _network() -> Link:
    return Link(LinkKind.WIFI, name="ShopNet", signal=80)


async def _store(_c: Config, _s: Secrets) -> StoreInfo:
    return StoreInfo("woocommerce", "https://shop.example", "Shop", "GBP", can_write=True)


@pytest.fixture
def probes() -> Probes:
    return Probes(
        clock=FakeClock(ClockState(True, True)),
        check_store=_store,
        reader=_reader,
        printer=_printer,
        scanners=_scanners,
        network=_network,
        now=lambda: NOW,
    )


@pytest.fixture
def real_store_probes(probes: Probes) -> Probes:
    probes.check_store = check_store
    return probes


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def kiosk(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), *args])


@pytest.fixture
def with_sales(data_dir: Path) -> Path:
    assert kiosk(data_dir, "catalog", "import", str(demo_catalog_path())) == 0
    return data_dir


def args(data_dir: Path, *, bundle: Path | None = None) -> argparse.Namespace:
    return argparse.Namespace(data_dir=data_dir, config=None, json=True, bundle=bundle)
