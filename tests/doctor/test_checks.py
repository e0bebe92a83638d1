"""Each doctor check: ok, warn or fail, and the fix in words."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.cli.doctor_cmd import diagnose, doctor
from kiosk.cli.provision_file import SECRET_CLASSES
from kiosk.doctor.base import Status
from kiosk.doctor.checks import Device, Probes, check_disk, check_uploads
from kiosk.doctor.clock import ClockState, FakeClock, parse_show
from kiosk.doctor.logs import FakeLogs
from kiosk.network.base import Link, LinkKind
from kiosk.provisioning.apply import Tools
from kiosk.provisioning.run import Context, provision_file
from kiosk.provisioning.wifi import FakeWifi
from kiosk.sim.woocommerce import running_sim
from tests.doctor.conftest import NOW, args, kiosk
from tests.provisioning.conftest import write


def by_name(checks: list) -> dict:  # type: ignore[type-arg]
    return {c.name: c for c in checks}


async def test_a_fresh_device(data_dir: Path, probes: Probes) -> None:
    _config, checks = await diagnose(None, data_dir, probes)
    got = by_name(checks)
    assert got["database"].status is Status.WARN
    assert got["store"].status is Status.FAIL
    assert "kiosk provision" in got["store"].fix
    assert got["clock"].status is Status.OK
    assert "last upload" not in got  # no database: nothing to upload


@pytest.mark.parametrize(
    ("state", "status", "words"),
    [
        (ClockState(True, True), Status.OK, "synchronised"),
        (ClockState(True, False), Status.FAIL, "UDP port 123"),
        (ClockState(False, False), Status.FAIL, "timedatectl set-ntp true"),
        (ClockState(None, None), Status.WARN, "wrong clock"),
    ],
)
async def test_clock(
    data_dir: Path, probes: Probes, state: ClockState, status: Status, words: str
) -> None:
    probes.clock = FakeClock(state)
    clock = by_name((await diagnose(None, data_dir, probes))[1])["clock"]
    assert clock.status is status
    assert words in clock.summary + clock.fix


def test_timedatectl_output_is_read() -> None:
    assert parse_show("NTP=yes\nNTPSynchronized=no\n") == ClockState(True, False)
    assert parse_show("") == ClockState(None, None)


async def test_hardware_and_network(data_dir: Path, probes: Probes) -> None:
    async def no_printer(_c: object) -> None:
        return None

    async def jammed(_c: object) -> Device:
        return Device("usb:04b8:0202", "paper out")

    async def none() -> list[Device]:
        return []

    async def offline() -> Link:
        return Link(LinkKind.NONE)

    probes.printer, probes.network = no_printer, offline
    probes.scanners = lambda _c: none()
    got = by_name((await diagnose(None, data_dir, probes))[1])
    assert got["printer"].status is Status.WARN
    assert got["scanners"].status is Status.WARN
    assert got["network"].status is Status.FAIL
    assert "sales are kept" in got["network"].fix
    probes.printer = jammed
    printer = by_name((await diagnose(None, data_dir, probes))[1])["printer"]
    assert (printer.status, "paper out" in printer.summary) == (Status.FAIL, True)


def test_uploads_and_queue(with_sales: Path) -> None:
    db = with_sales / "kiosk.db"
    assert check_uploads(db, NOW)[1].summary == "no order waiting"
    assert kiosk(with_sales, "sale", "--item", "COF-ESP-250") == 0
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE orders SET created_at = ?", ((NOW - timedelta(hours=30)).isoformat(),))
    conn.close()
    upload, queue = check_uploads(db, NOW)
    assert upload.status is Status.FAIL
    assert "1 upload(s) waiting; nothing uploaded yet" in upload.summary
    assert "kiosk-agent" in upload.fix
    assert (queue.status, queue.summary) == (Status.FAIL, "waiting for 30 h 0 min")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE outbox SET state = 'failed', last_error = 'bad SKU'")
    conn.close()
    queue = check_uploads(db, NOW)[1]
    assert "refused by the store" in queue.summary
    assert "kiosk orders retry" in queue.fix


def test_damaged_database_fails(data_dir: Path) -> None:
    from kiosk.doctor.checks import check_database

    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.db").write_bytes(b"not a database at all" * 100)
    got = check_database(data_dir / "kiosk.db")
    assert got.status is Status.FAIL
    assert "kiosk reset --export" in got.fix


def test_disk(tmp_path: Path) -> None:
    assert check_disk(tmp_path).status in (Status.OK, Status.WARN)
    assert "MB free" in check_disk(tmp_path).summary


async def test_store_keys_checked_against_the_simulator(
    data_dir: Path, real_store_probes: Probes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with running_sim(products=2) as woo:
        for key, secret, status in (
            (woo.consumer_key, woo.consumer_secret, Status.OK),
            (woo.readonly_key, woo.readonly_secret, Status.FAIL),
            (woo.consumer_key, "cs_" + "0" * 40, Status.FAIL),
        ):
            write(
                tmp_path / "p.toml",
                f'[store]\nplatform = "woocommerce"\nurl = "{woo.url}"\n[woocommerce]\n'
                f'consumer_key = "{key}"\nconsumer_secret = "{secret}"\n',
            )
            ctx = Context(data_dir, Tools(wifi=FakeWifi()), SECRET_CLASSES, serial=lambda: None)
            assert not (await provision_file(tmp_path / "p.toml", ctx)).problems
            store = by_name((await diagnose(None, data_dir, real_store_probes))[1])["store"]
            assert store.status is status, store
    # The store gone: unreachable, said so.
    store = by_name((await diagnose(None, data_dir, real_store_probes))[1])["store"]
    assert store.status is Status.FAIL
    capsys.readouterr()
    code = await doctor(args(data_dir), real_store_probes, FakeLogs(), [])
    out = json.loads(capsys.readouterr().out)
    assert (code, out["status"]) == (1, "fail")
    assert {c["check"] for c in out["checks"]} >= {"database", "clock", "store", "printer"}


async def test_the_card_reader_as_stripe_sees_it(data_dir: Path) -> None:
    from kiosk.config import Config
    from kiosk.config_platforms import StripeConfig
    from kiosk.doctor.probes import reader_check
    from kiosk.payments.stripe_setup import StripeSecrets
    from kiosk.provisioning.reader import setup_reader
    from kiosk.secrets import Secrets
    from kiosk.sim.stripe import running_stripe_sim

    config = Config(data_dir=data_dir)
    assert (await reader_check(config, Secrets())).status is Status.WARN  # none paired
    async with running_stripe_sim(seed=8) as stripe:
        stripe.terminal.show_pairing_code("plum-pear-fig")
        done = await setup_reader(
            StripeConfig(api_base=stripe.url),
            stripe.restricted_key,
            configured_location="",
            code="plum-pear-fig",
            label="Till 1",
            country="GB",
        )
        paired = config.with_section(done.settings)
        secrets = StripeSecrets(stripe.restricted_key).into(Secrets())
        online = await reader_check(paired, secrets)
        assert (online.status, online.summary.startswith("Till 1 online")) == (Status.OK, True)
        assert (await reader_check(paired, Secrets())).status is Status.FAIL  # no key
