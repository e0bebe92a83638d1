"""The `kiosk` command run in-process on a fresh data directory."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalog_export import load_export
from kiosk.cli import main
from kiosk.cli.demo_cmd import demo_catalog_path
from kiosk.core.models import Product

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def kiosk(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data_dir), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def demo_products() -> list[Product]:
    return [p for p in load_export(demo_catalog_path()).products if p.sellable and p.sku]


@pytest.fixture
def loaded(kiosk: Run) -> Run:
    code, _out, err = kiosk("catalog", "import", str(demo_catalog_path()))
    assert code == 0, err
    return kiosk


def as_json(out: str) -> dict[str, Any]:
    lines = out.strip().splitlines()
    assert len(lines) == 1, f"--json must print exactly one line, got {out!r}"
    data = json.loads(lines[0])
    assert isinstance(data, dict)
    return data
