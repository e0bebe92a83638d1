"""Input refused at the door: amounts, quantities and settings no till can mean exit 2, named,
before anything is written."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import SyncConfig, load_config
from kiosk.core.models import Product
from kiosk.core.money import Money
from kiosk.secrets import secrets_path
from kiosk.sim.woocommerce import running_sim
from tests.cli.conftest import Run, as_json


def sold(data_dir: Path) -> int:
    """Orders and payments in the device's database (0 and 0 when nothing was sold)."""
    with contextlib.closing(sqlite3.connect(data_dir / "kiosk.db")) as db:
        (orders,) = db.execute("SELECT count(*) FROM orders").fetchone()
        (payments,) = db.execute("SELECT count(*) FROM payments").fetchone()
    assert orders == payments, "an order without its payment, or the other way round"
    return int(orders)


def priced(products: list[Product]) -> tuple[str, Money]:
    product = products[0]
    assert product.sku is not None
    assert product.price is not None
    return product.sku, product.price


@pytest.mark.parametrize(
    "cash",
    [
        "92233720368547758.08",  # past SQLite's INTEGER: it used to exit 1
        "9223372036854775.80",  # it used to sell, with quadrillions in change
        "100000.01",  # a penny past the default limits.max_amount
        "9" * 5000,  # past what int() reads
    ],
)
def test_cash_past_the_limit_is_refused_and_nothing_is_sold(
    loaded: Run, data_dir: Path, demo_products: list[Product], cash: str
) -> None:
    sku, _price = priced(demo_products)
    code, out, err = loaded("sale", "--item", sku, "--cash", cash, "--json")
    assert code == 2
    assert err.startswith("kiosk: --cash: "), err
    assert out == ""
    assert sold(data_dir) == 0


def test_cash_at_the_limit_is_taken(
    loaded: Run, data_dir: Path, demo_products: list[Product]
) -> None:
    sku, price = priced(demo_products)
    code, out, err = loaded("sale", "--item", sku, "--cash", "100000.00", "--json")
    assert code == 0, err
    assert as_json(out)["change"]["minor"] == 10_000_000 - price.minor
    assert sold(data_dir) == 1


def test_max_amount_comes_from_the_file_and_the_environment(
    loaded: Run, data_dir: Path, demo_products: list[Product], monkeypatch: pytest.MonkeyPatch
) -> None:
    sku, price = priced(demo_products)
    below = Money(price.minor - 1, price.currency).amount_str()
    (data_dir / "kiosk.toml").write_text(f'[limits]\nmax_amount = "{below}"\n')
    code, _out, err = loaded("sale", "--item", sku)
    assert code == 2
    assert err.startswith("kiosk: --item: the total "), err
    assert "limits.max_amount" in err
    assert sold(data_dir) == 0

    monkeypatch.setenv("KIOSK_LIMITS_MAX_AMOUNT", price.amount_str())  # overrides the file
    over = Money(price.minor + 1, price.currency).amount_str()
    code, _out, err = loaded("sale", "--item", sku, "--cash", over)
    assert code == 2
    assert err.startswith("kiosk: --cash: "), err
    assert "limits.max_amount" in err
    assert sold(data_dir) == 0
    code, _out, err = loaded("sale", "--item", sku)  # exactly the limit, paid exactly
    assert code == 0, err
    assert sold(data_dir) == 1


@pytest.mark.parametrize("qty", ["10000", "9" * 5000, "0"])
def test_a_quantity_past_the_limit_is_refused(
    loaded: Run, data_dir: Path, demo_products: list[Product], qty: str
) -> None:
    sku, _price = priced(demo_products)
    code, out, err = loaded("sale", "--item", f"{sku}:{qty}", "--json")
    assert code == 2
    assert err.startswith("kiosk: --item "), err
    assert "limits.max_quantity" in err
    assert out == ""
    assert sold(data_dir) == 0


def test_max_quantity_is_set_in_the_environment_and_counts_the_whole_line(
    loaded: Run, data_dir: Path, demo_products: list[Product], monkeypatch: pytest.MonkeyPatch
) -> None:
    sku, _price = priced(demo_products)
    monkeypatch.setenv("KIOSK_LIMITS_MAX_QUANTITY", "5")
    code, _out, err = loaded("sale", "--item", f"{sku}:6")
    assert code == 2
    assert "quantity must be between 1 and 5 (limits.max_quantity)" in err
    # Two --items for one product make one line of 6.
    code, _out, err = loaded("sale", "--item", f"{sku}:3", "--item", f"{sku}:3")
    assert code == 2
    assert err.startswith(f"kiosk: --item '{sku}:3': "), err
    assert "would come to 6, more than 5 on one line" in err
    assert sold(data_dir) == 0
    code, _out, err = loaded("sale", "--item", f"{sku}:5")
    assert code == 0, err
    assert sold(data_dir) == 1


# (section, name, as written in kiosk.toml, as an environment value, what the message says)
WRONG_SETTINGS = [
    ("sync", "webhook_port", "70000", "70000", "sync.webhook_port must be between 1 and 65535"),
    ("hardware", "printer", '"bogus:xyz"', "bogus:xyz", "hardware.printer: bogus:xyz: it must"),
]


@pytest.mark.parametrize("source", ["file", "environment"])
@pytest.mark.parametrize(("section", "name", "toml", "env", "message"), WRONG_SETTINGS)
@pytest.mark.parametrize("command", [("status",), ("sale",), ("sync", "--once"), ("agent",)])
def test_a_wrong_setting_stops_every_command_before_it_writes(
    loaded: Run,
    data_dir: Path,
    demo_products: list[Product],
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    section: str,
    name: str,
    toml: str,
    env: str,
    message: str,
    command: tuple[str, ...],
) -> None:
    sku, _price = priced(demo_products)
    path = data_dir / "kiosk.toml"
    var = f"KIOSK_{section}_{name}".upper()
    if source == "file":
        path.write_text(f"[{section}]\n{name} = {toml}\n")
        where = str(path)
    else:
        path.write_text('[device]\nname = "Front"\n')  # good: the variable alone is wrong
        monkeypatch.setenv(var, env)
        where = f"{var}={env}"
    before = path.read_text()
    args = [*command, "--item", sku] if command == ("sale",) else list(command)
    code, out, err = loaded(*args)
    assert code == 2, err
    assert err.startswith(f"kiosk: {where}: {message}"), err
    assert out == ""
    assert sold(data_dir) == 0
    assert path.read_text() == before


async def _provision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, Path]:
    """`kiosk provision woocommerce` against a simulated store, with [device] set in the file."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "kiosk.toml").write_text('[device]\norder_prefix = "F1-"\n')
    async with running_sim(products=5) as sim:
        args = ["--data-dir", str(data_dir), "provision", "woocommerce", "--url", sim.url]
        args += ["--key", sim.consumer_key, "--secret", sim.consumer_secret]
        # main() runs its own event loop: on a thread of its own, beside the simulated store's.
        code = await asyncio.to_thread(main, args)
    return code, capsys.readouterr().err, data_dir


async def test_provisioning_with_a_wrong_setting_saves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KIOSK_SYNC_WEBHOOK_PORT", "70000")
    code, err, data_dir = await _provision(tmp_path, capsys)
    assert code == 2, err
    assert err.startswith("kiosk: KIOSK_SYNC_WEBHOOK_PORT=70000: sync.webhook_port "), err
    assert (data_dir / "kiosk.toml").read_text() == '[device]\norder_prefix = "F1-"\n'
    assert not secrets_path(data_dir).exists()


async def test_provisioning_saves_the_files_settings_not_the_environments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KIOSK_SYNC_CONCURRENCY", "8")  # for this one command only
    code, err, data_dir = await _provision(tmp_path, capsys)
    assert code == 0, err
    monkeypatch.delenv("KIOSK_SYNC_CONCURRENCY")
    saved = load_config(data_dir / "kiosk.toml", data_dir)
    assert saved.sync.concurrency == SyncConfig().concurrency
    assert saved.device.order_prefix == "F1-"
    assert saved.store.url.startswith("http://127.0.0.1:")
