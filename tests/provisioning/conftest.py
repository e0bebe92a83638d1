"""Provisioning runs on a fresh data dir, with the fake WiFi and a fake staff list."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.cli.provision_file import SECRET_CLASSES
from kiosk.provisioning.apply import Tools
from kiosk.provisioning.run import Context
from kiosk.provisioning.wifi import FakeWifi

SERIAL = "10000000c0ffee01"


@pytest.fixture
def wifi() -> FakeWifi:
    return FakeWifi({"ShopNet": "correct horse"})


@pytest.fixture
def ctx(tmp_path: Path, wifi: FakeWifi) -> Context:
    return Context(
        data_dir=tmp_path / "data",
        tools=Tools(wifi=wifi),
        secret_classes=SECRET_CLASSES,
        serial=lambda: SERIAL,
        now=lambda: datetime(2026, 12, 3, 12, 0, tzinfo=UTC),
    )


@pytest.fixture
def boot(tmp_path: Path) -> Path:
    folder = tmp_path / "boot"
    folder.mkdir()
    return folder / "kiosk.toml"


def read(path: Path) -> str:
    return path.read_text()


def write(path: Path, text: str) -> None:
    path.write_text(text)
