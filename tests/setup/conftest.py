"""The wizard on a fresh data dir, with the fake WiFi, sync and hardware, and real staff."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kiosk.cli.provision_file import SECRET_CLASSES
from kiosk.config import Config
from kiosk.connectors.base import StoreInfo
from kiosk.connectors.errors import StoreUnreachable
from kiosk.network.base import Link, LinkKind
from kiosk.provisioning.staff import DbStaff
from kiosk.provisioning.wifi import FakeWifi
from kiosk.secrets import Secrets
from kiosk.setup.steps import Progress, SetupDeps, Wizard


@dataclass
class FakeSync:
    total: int = 1000
    fail: str = ""
    runs: int = 0

    async def run(self, config: Config, progress: Progress) -> Mapping[str, int]:
        self.runs += 1
        if self.fail:
            raise StoreUnreachable(self.fail)
        for done in (250, 500, 1000):
            progress(done, self.total)
        return {"products": self.total}


@dataclass
class FakeHardware:
    broken: dict[str, str] = field(default_factory=dict)
    code: str | None = "5012345678900"

    async def print_test(self, config: Config) -> None:
        if "printer" in self.broken:
            raise RuntimeError(self.broken["printer"])

    async def open_drawer(self, config: Config) -> None:
        if "drawer" in self.broken:
            raise RuntimeError(self.broken["drawer"])

    async def read_code(self, config: Config) -> str | None:
        return self.code


@dataclass
class FakeLink:
    link: Link = field(default_factory=lambda: Link(LinkKind.NONE))

    async def __call__(self) -> Link:
        return self.link


async def good_store(config: Config, secrets: Secrets) -> StoreInfo:
    return StoreInfo(config.store.platform, config.store.url, "Shop", "GBP", can_write=True)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def deps(data_dir: Path) -> SetupDeps:
    ticks = iter(range(0, 10_000, 2))
    return SetupDeps(
        wifi=FakeWifi({"ShopNet": "correct horse"}),
        link=FakeLink(),
        check_store=good_store,
        secret_classes=SECRET_CLASSES,
        sync=FakeSync(),
        hardware=FakeHardware(),
        staff=DbStaff(data_dir / "kiosk.db"),
        monotonic=lambda: float(next(ticks)),
    )


@pytest.fixture
def wizard(data_dir: Path, deps: SetupDeps) -> Wizard:
    return Wizard(data_dir, deps)
