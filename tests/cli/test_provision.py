"""`kiosk provision woocommerce` and `kiosk sync --once` against the simulated store."""

from __future__ import annotations

import asyncio
import json
import stat
import sys
import tomllib
from pathlib import Path

from kiosk.config import load_config
from kiosk.config_platforms import WooCommerceConfig
from kiosk.connectors.woocommerce.platform import WooCommerceSecrets
from kiosk.secrets import load_secrets, secrets_path
from kiosk.sim.woocommerce import running_sim


async def kiosk(data_dir: Path, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kiosk",
        "--data-dir",
        str(data_dir),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_provision_over_tls_then_sync_once(tmp_path: Path) -> None:
    async with running_sim(products=25, tls=True) as sim:
        assert sim.ca_file is not None
        code, out, err = await kiosk(
            tmp_path,
            "provision",
            "woocommerce",
            "--url",
            sim.url,
            "--key",
            sim.consumer_key,
            "--secret",
            sim.consumer_secret,
            "--ca-file",
            str(sim.ca_file),
            "--json",
        )
        assert code == 0, err
        assert json.loads(out)["platform"] == "woocommerce"
        config = load_config(None, tmp_path)
        assert (config.store.platform, config.store.url) == ("woocommerce", sim.url)
        assert config.section(WooCommerceConfig).ca_file == str(sim.ca_file.resolve())
        assert stat.S_IMODE(secrets_path(tmp_path).stat().st_mode) == 0o600
        saved = load_secrets(tmp_path)
        assert WooCommerceSecrets.of(saved).consumer_key == sim.consumer_key
        assert saved.webhook_secret  # minted for the agent's webhook endpoint
        # The keys never land in the settings file.
        assert sim.consumer_secret not in (tmp_path / "kiosk.toml").read_text()

        code, out, err = await kiosk(tmp_path, "sync", "--once", "--json")
        assert code == 0, err
        report = json.loads(out)
        assert report["initial"] is True
        assert report["pulled"]["products"] > 25  # products and their variations
        code, out, _ = await kiosk(tmp_path, "status", "--json")
        status = json.loads(out)
        assert status["sync"]["initial_sync"]["complete"] is True
        assert status["store"] == {"platform": "woocommerce", "url": sim.url}


async def test_provisioning_an_old_device_writes_the_new_layouts(tmp_path: Path) -> None:
    # As a device provisioned before [woocommerce] and secret sections has its files.
    (tmp_path / "kiosk.toml").write_text(
        '[store]\nplatform = "woocommerce"\nurl = "https://old.example"\n'
        'auth = "query"\nbarcode_meta_key = "_ean"\n'
    )
    old = {"consumer_key": "ck_old", "consumer_secret": "cs_old", "webhook_secret": "wh-old"}
    secrets_path(tmp_path).write_text(json.dumps(old))
    secrets_path(tmp_path).chmod(0o600)
    async with running_sim(products=5) as sim:
        code, _, err = await kiosk(
            tmp_path,
            *("provision", "woocommerce", "--url", sim.url),
            *("--key", sim.consumer_key, "--secret", sim.consumer_secret),
        )
    assert code == 0, err
    tables = tomllib.loads((tmp_path / "kiosk.toml").read_text())
    assert tables["store"] == {"platform": "woocommerce", "url": sim.url, "public_url": ""}
    # Provisioning sets how to sign in; the shop's barcode key is kept.
    assert tables["woocommerce"] == {
        "auth": "basic",
        "ca_file": "",
        "barcode_meta_key": "_ean",
        "api_route": "pretty",
    }
    assert json.loads(secrets_path(tmp_path).read_text()) == {
        "webhook_secret": "wh-old",
        "woocommerce": {"consumer_key": sim.consumer_key, "consumer_secret": sim.consumer_secret},
    }
    assert stat.S_IMODE(secrets_path(tmp_path).stat().st_mode) == 0o600


async def test_provision_errors_say_what_to_fix(tmp_path: Path) -> None:
    async with running_sim(products=5) as sim:
        code, _, err = await kiosk(
            tmp_path,
            "provision",
            "woocommerce",
            "--url",
            sim.url,
            "--key",
            sim.consumer_key,
            "--secret",
            "cs_" + "0" * 40,
        )
        assert code == 2
        assert "key" in err.lower()
        code, _, err = await kiosk(
            tmp_path,
            "provision",
            "woocommerce",
            "--url",
            sim.url,
            "--key",
            sim.readonly_key,
            "--secret",
            sim.readonly_secret,
        )
        assert code == 2
        assert "read" in err.lower()
        code, _, err = await kiosk(
            tmp_path,
            "provision",
            "woocommerce",
            "--url",
            "shop.example",
            "--key",
            "ck_x",
            "--secret",
            "cs_y",
        )
        assert code == 2
        assert "--url" in err
        # Nothing was saved by any failed attempt.
        assert not (tmp_path / "kiosk.toml").exists()
        assert not secrets_path(tmp_path).exists()


async def test_unreachable_store_exits_1(tmp_path: Path) -> None:
    code, _, err = await kiosk(
        tmp_path,
        "provision",
        "woocommerce",
        "--url",
        "http://127.0.0.1:9",
        "--key",
        "ck_x",
        "--secret",
        "cs_y",
    )
    assert code == 1
    assert "127.0.0.1:9" in err


async def test_sync_without_a_store_says_how_to_connect(tmp_path: Path) -> None:
    code, _, err = await kiosk(tmp_path, "sync", "--once")
    assert code == 1
    assert "kiosk provision woocommerce" in err
