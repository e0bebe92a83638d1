"""The diagnostics bundle: planted secrets in settings, secrets file, logs and sync errors are
found in no member, in any encoding; what support needs is still there."""

from __future__ import annotations

import base64
import json
import sqlite3
import tarfile
from pathlib import Path
from urllib.parse import quote

import pytest

from kiosk.cli.doctor_cmd import doctor
from kiosk.doctor.checks import Probes
from kiosk.doctor.logs import FakeLogs
from kiosk.doctor.redact import REMOVED, Redactor
from kiosk.secrets import Secrets, save_secrets
from tests.doctor.conftest import args, kiosk

CK = "ck_0123456789abcdef0123456789abcdef01234567"
CS = "cs_fedcba9876543210fedcba9876543210fedcba98"
STRIPE = "rk_test_51PlantedRestrictedKey0000aaaa"
SHOPIFY = "shpat_0123456789abcdef0123456789abcdef"
WEBHOOK = "whk-planted-Zq81xY0pQ7"
WIFI = "wifi-planted-pass"
PIN = "582913"
SIGNATURE = "tR3nd0mS1gnatur3Value+/="
ODD = "n0-shape-at-all-9f8e7d"  # a secret with no recognisable shape: only known values catch it
PLANTED = [CK, CS, STRIPE, SHOPIFY, WEBHOOK, WIFI, PIN, ODD, SIGNATURE]
BASIC = base64.b64encode(f"{CK}:{CS}".encode()).decode()

LOGS = {
    "kiosk-agent.log": "\n".join(
        [
            f"GET https://shop.example/wp-json/wc/v3/products?consumer_key={CK}&consumer_secret={CS}"
            "&per_page=100 -> 200",
            f"POST http://shop.example/wp-json/wc/v3/orders?oauth_consumer_key={CK}"
            f"&oauth_nonce=abc123&oauth_signature={quote(SIGNATURE, safe='')}"
            "&oauth_signature_method=HMAC-SHA256 -> 201",
            f"request headers: {{'Authorization': 'Basic {BASIC}', 'Accept': 'application/json'}}",
            f"X-Shopify-Access-Token: {SHOPIFY}",
            f"stripe: Authorization: Bearer {STRIPE}",
            f'webhook config {{"secret": "{WEBHOOK}"}} access_token={SHOPIFY}',
            f"odd thing logged: {ODD}",
            "sync: pulled 35 products in 2 pages",
        ]
    ),
    "kiosk-ui.log": f"nm: psk={WIFI} joined ShopNet\nstaff pin={PIN} accepted",
}


@pytest.fixture
def planted(with_sales: Path) -> Path:
    data = with_sales
    # The settings file may hold a secret by mistake (pasted into free text).
    (data / "kiosk.toml").write_text(
        f'[device]\nname = "Till 1"\n[receipt]\nfooter = "Thanks! ref {ODD}"\n'
        f'[store]\nplatform = "woocommerce"\nurl = "https://shop.example"\n'
    )
    save_secrets(
        data,
        Secrets(
            WEBHOOK,
            {
                "woocommerce": {"consumer_key": CK, "consumer_secret": CS},
                "shopify": {"token": SHOPIFY},
                "stripe": {"api_key": STRIPE},
                "provision_wifi": {"ssid": "ShopNet", "password": WIFI},
                "provision_staff": {"Mia": PIN},
                "other": {"value": ODD},
            },
        ),
    )
    assert kiosk(data, "sale", "--item", "COF-ESP-250") == 0
    conn = sqlite3.connect(data / "kiosk.db")
    with conn:
        conn.execute(
            "UPDATE outbox SET last_error = ?",
            (f"401 from https://shop.example/orders?consumer_secret={CS}: bad key {CK}",),
        )
    conn.close()
    (data / "agent.log").write_text(f"old log: Authorization: Basic {BASIC}\n")
    return data


async def test_bundle_holds_no_planted_secret(
    planted: Path, probes: Probes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    boot_report = tmp_path / "kiosk-provisioned.txt"
    boot_report.write_text(f"store: failed - keys {CK} refused\n")
    bundle = tmp_path / "out" / "diag.tar.gz"
    await doctor(args(planted, bundle=bundle), probes, FakeLogs(LOGS), [boot_report])
    assert json.loads(capsys.readouterr().out)["bundle"] == str(bundle)
    assert oct(bundle.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(bundle) as tar:
        texts = {
            m.name.removeprefix("kiosk-diagnostics/"): tar.extractfile(m).read().decode()  # type: ignore[union-attr]
            for m in tar.getmembers()
        }
    assert set(texts) >= {
        "doctor.json",
        "config/kiosk.toml",
        "config/effective.toml",
        "config/secrets-summary.json",
        "status.json",
        "db-check.json",
        "sync-errors.json",
        "logs/kiosk-agent.log",
        "logs/kiosk-ui.log",
    }
    files = {name for name in texts if name.startswith("files/")}
    assert {name.rsplit("/", 1)[-1] for name in files} == {"agent.log", "kiosk-provisioned.txt"}
    forms = {BASIC} | {f for s in PLANTED for f in (s, quote(s, safe=""), _b64(s))}
    for name, text in texts.items():
        for secret in forms:
            assert secret not in text, f"{secret!r} found in {name}"
    # What support needs is still there.
    assert "sync: pulled 35 products in 2 pages" in texts["logs/kiosk-agent.log"]
    assert "/wp-json/wc/v3/products?consumer_key=[removed]" in texts["logs/kiosk-agent.log"]
    summary = json.loads(texts["config/secrets-summary.json"])
    assert summary["woocommerce"] == {"set": ["consumer_key", "consumer_secret"]}
    assert summary["top level"] == {"set": ["webhook_secret"]}
    assert json.loads(texts["db-check.json"])["integrity"] == "ok"
    errors = json.loads(texts["sync-errors.json"])["orders"]
    assert errors[0]["error"].startswith("401 from https://shop.example/orders?consumer_secret=")
    assert 'name = "Till 1"' in texts["config/kiosk.toml"]
    assert json.loads(texts["status.json"])["queue"]["states"] == {"pending_sync": 1}


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def test_redactor_shapes_without_known_values() -> None:
    redact = Redactor()
    line = (
        "Authorization: Basic dXNlcjpwYXNz x-wc-webhook-signature=abc== "
        "?oauth_signature=zzz&consumer_secret=cs_1234abcd1234 "
        '"api_key": "rk_live_abcdef" token = "t0ken-value"'
    )
    out = redact(line)
    for secret in (
        "dXNlcjpwYXNz",
        "abc==",
        "zzz",
        "cs_1234abcd1234",
        "rk_live_abcdef",
        "t0ken-value",
    ):
        assert secret not in out
    assert out.count(REMOVED) >= 6


PASTED = "cs_" + "ab12" * 10


@pytest.fixture
def broken_settings(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True)
    (data_dir / "kiosk.toml").write_text(f'[woocommerce]\nconsumer_secret = "{PASTED}"\n')
    return data_dir


async def test_a_secret_pasted_into_a_broken_settings_file(
    broken_settings: Path, probes: Probes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir, pasted = broken_settings, PASTED
    bundle = tmp_path / "diag.tar.gz"
    assert await doctor(args(data_dir, bundle=bundle), probes, FakeLogs(), []) == 1
    checks = json.loads(capsys.readouterr().out)["checks"]
    assert checks[0]["check"] == "settings"
    assert "unknown setting woocommerce.consumer_secret" in checks[0]["summary"]
    with tarfile.open(bundle) as tar:
        for member in tar.getmembers():
            text = tar.extractfile(member).read().decode()  # type: ignore[union-attr]
            assert pasted not in text, member.name
            if member.name.endswith("config/kiosk.toml"):
                assert text == 'consumer_secret = "[removed]"'.join(["[woocommerce]\n", "\n"])
