"""Zero-touch from a good file against the simulators: applied, scrubbed, reported, re-run."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.config_platforms import ShopifyConfig, StripeConfig
from kiosk.connectors.shopify.platform import ShopifySecrets
from kiosk.connectors.woocommerce.platform import WooCommerceSecrets
from kiosk.payments.stripe_setup import StripeSecrets
from kiosk.provisioning.apply import Outcome
from kiosk.provisioning.run import Context, provision_file
from kiosk.provisioning.staff import DbStaff
from kiosk.provisioning.wifi import FakeWifi
from kiosk.secrets import load_secrets, secrets_path
from kiosk.sim.shopify import running_sim as running_shopify
from kiosk.sim.stripe import running_stripe_sim
from kiosk.sim.woocommerce import running_sim as running_woo
from kiosk.staff.accounts import Role, verify_pin
from kiosk.store.db import Database
from tests.provisioning.conftest import SERIAL, read, write


def woo_file(url: str, key: str, secret: str, stripe_url: str, stripe_key: str) -> str:
    return f"""# Fleet file for the Market St shop
[device]
name = "Spare till"

[shop]
locale = "en_GB"

[store]
platform = "woocommerce"
url = "{url}"

[woocommerce]
consumer_key = "{key}"     # from WooCommerce > Settings > Advanced > REST API
consumer_secret = "{secret}"

[stripe]
api_key = "{stripe_key}"
api_base = "{stripe_url}"

[reader]
registration_code = "apple-berry-cherry"
label = "Front till"
country = "GB"

[wifi]
ssid = "ShopNet"
password = "correct horse"

[[staff]]
name = "Mia"
role = "manager"
pin = "4821"

[[staff]]
name = "Sam"
role = "cashier"
pin = "0007"

[devices."{SERIAL}"]
name = "Till 1"
order_prefix = "T1-"

[devices."10000000c0ffee02"]
name = "Till 2"
order_prefix = "T2-"
"""


def outcomes(result: object) -> dict[str, Outcome]:
    return {s.name: s.outcome for s in result.steps}  # type: ignore[attr-defined]


async def test_good_file_then_rerun(ctx: Context, boot: Path, wifi: FakeWifi) -> None:
    ctx.tools.staff = DbStaff(ctx.data_dir / "kiosk.db")
    async with running_woo(products=3) as woo, running_stripe_sim(seed=3) as stripe:
        stripe.terminal.show_pairing_code("apple-berry-cherry")
        text = woo_file(
            woo.url, woo.consumer_key, woo.consumer_secret, stripe.url, stripe.restricted_key
        )
        write(boot, text)
        first = await provision_file(boot, ctx)
        assert not first.failed, first.text
        assert outcomes(first) == {
            "secrets": Outcome.APPLIED,
            "settings": Outcome.APPLIED,
            "source file": Outcome.APPLIED,
            "wifi": Outcome.APPLIED,
            "store": Outcome.APPLIED,
            "card reader": Outcome.APPLIED,
            "staff": Outcome.APPLIED,
        }
        config = load_config(None, ctx.data_dir)
        # The device table picked this Pi's name and prefix over [device].
        assert (config.device.name, config.device.order_prefix) == ("Till 1", "T1-")
        assert (config.store.platform, config.store.url) == ("woocommerce", woo.url)
        assert config.shop.locale == "en_GB"
        reader = config.section(StripeConfig)
        assert reader.reader in stripe.state.readers
        assert reader.location.startswith("tml_")
        assert stripe.state.readers[reader.reader]["label"] == "Front till"
        saved = load_secrets(ctx.data_dir)
        assert WooCommerceSecrets.of(saved).consumer_secret == woo.consumer_secret
        assert StripeSecrets.of(saved).api_key == stripe.restricted_key
        assert stat.S_IMODE(secrets_path(ctx.data_dir).stat().st_mode) == 0o600
        async with await Database.open(ctx.data_dir / "kiosk.db") as db:
            mia = await verify_pin(db, "mia", "4821")
            sam = await verify_pin(db, "Sam", "0007")
        assert (mia.role, sam.role) == (Role.MANAGER, Role.CASHIER)
        assert saved.section("provision_staff") == {}  # no plain PIN kept once applied
        assert wifi.joined == ["ShopNet"]

        # The source file keeps its layout and comments, and loses every secret.
        scrubbed = read(boot)
        for secret in (
            woo.consumer_key,
            woo.consumer_secret,
            stripe.restricted_key,
            "correct horse",
            "4821",
            "0007",
        ):
            assert secret not in scrubbed
        assert scrubbed.startswith("# Fleet file for the Market St shop")
        assert "# consumer_key: taken off this file by kiosk provision" in scrubbed
        data = tomllib.loads(scrubbed)
        assert data["staff"][1] == {"name": "Sam", "role": "cashier"}
        assert data["reader"]["registration_code"] == "apple-berry-cherry"
        report = read(boot.parent / "kiosk-provisioned.txt")
        assert "DONE: everything was applied." in report.splitlines()
        assert read(ctx.data_dir / "kiosk-provisioned.txt") == report  # the device's own copy
        assert woo.consumer_secret not in report
        assert stripe.restricted_key not in report

        # Again, from the scrubbed file: harmless. The one-time code is not spent twice, the
        # WiFi is not joined twice, nothing changes.
        config_text = read(ctx.data_dir / "kiosk.toml")
        second = await provision_file(boot, ctx)
        assert not second.failed, second.text
        assert outcomes(second) == {
            "secrets": Outcome.UNCHANGED,
            "settings": Outcome.UNCHANGED,
            "source file": Outcome.UNCHANGED,
            "wifi": Outcome.UNCHANGED,
            "store": Outcome.APPLIED,  # the connection test, read-only, runs every time
            "card reader": Outcome.UNCHANGED,
            "staff": Outcome.UNCHANGED,
        }
        assert read(ctx.data_dir / "kiosk.toml") == config_text
        assert wifi.joined == ["ShopNet"]
        assert len(stripe.state.readers) == 1
        assert read(boot) == scrubbed


async def test_shopify_file_with_staff_left_for_later(ctx: Context, boot: Path) -> None:
    async with running_shopify(products=3) as shop:
        write(
            boot,
            f'[store]\nplatform = "shopify"\nurl = "{shop.url}"\n'
            f'[shopify]\nshop = "{shop.shop}"\ntoken = "{shop.token}"\n'
            '[[staff]]\nname = "Mia"\nrole = "manager"\npin = "4821"\n',
        )
        result = await provision_file(boot, ctx)
        assert not result.failed, result.text
        steps = {s.name: s for s in result.steps}
        assert steps["store"].outcome is Outcome.APPLIED
        assert steps["staff"].outcome is Outcome.LEFT
        assert "wait in the secrets file" in steps["staff"].detail  # no accounts given
        saved = load_secrets(ctx.data_dir)
        assert ShopifySecrets.of(saved).token == shop.token
        assert saved.section("provision_staff") == {"Mia": "4821"}  # 0600, until applied
        assert load_config(None, ctx.data_dir).section(ShopifyConfig).shop == shop.shop
        assert shop.token not in read(boot)
        assert "4821" not in read(boot)
        # A re-run from the scrubbed file still knows Mia's PIN.
        again = await provision_file(boot, ctx)
        assert not again.problems, again.text


async def test_failures_are_reported_and_a_fixed_file_completes(
    ctx: Context, boot: Path, wifi: FakeWifi
) -> None:
    async with running_woo(products=3) as woo:
        good = (
            f'[store]\nplatform = "woocommerce"\nurl = "{woo.url}"\n'
            f'[woocommerce]\nconsumer_key = "{woo.readonly_key}"\n'
            f'consumer_secret = "{woo.readonly_secret}"\n'
            '[wifi]\nssid = "ShopNet"\npassword = "wrong password"\n'
        )
        write(boot, good)
        result = await provision_file(boot, ctx)
        steps = {s.name: s for s in result.steps}
        assert result.failed
        assert steps["wifi"].outcome is Outcome.FAILED
        assert "not accepted" in steps["wifi"].detail
        assert steps["store"].outcome is Outcome.FAILED
        assert "read-only" in steps["store"].detail
        assert steps["settings"].outcome is Outcome.APPLIED
        report = read(boot.parent / "kiosk-provisioned.txt")
        assert "INCOMPLETE: 2 step(s) failed" in report
        assert "wrong password" not in read(boot)

        write(
            boot,
            f'[woocommerce]\nconsumer_key = "{woo.consumer_key}"\n'
            f'consumer_secret = "{woo.consumer_secret}"\n'
            '[wifi]\nssid = "ShopNet"\npassword = "correct horse"\n',
        )
        fixed = await provision_file(boot, ctx)
        assert not fixed.failed, fixed.text
        assert wifi.joined == ["ShopNet", "ShopNet"]
        assert load_config(None, ctx.data_dir).store.url == woo.url  # kept from the first file


async def test_a_wrong_reader_code_is_named_and_the_rest_applied(ctx: Context, boot: Path) -> None:
    async with running_stripe_sim(seed=4) as stripe:
        write(
            boot,
            f'[stripe]\napi_key = "{stripe.restricted_key}"\napi_base = "{stripe.url}"\n'
            '[reader]\nregistration_code = "nobody-shows-this"\ncountry = "GB"\n',
        )
        result = await provision_file(boot, ctx)
        steps = {s.name: s for s in result.steps}
        assert steps["card reader"].outcome is Outcome.FAILED
        assert steps["card reader"].detail.startswith("reader.registration_code:")
        assert steps["secrets"].outcome is Outcome.APPLIED
        assert load_config(None, ctx.data_dir).section(StripeConfig).reader == ""


async def test_staff_from_pin_hashes(ctx: Context, boot: Path) -> None:
    from kiosk.staff.pins import hash_pin

    ctx.tools.staff = DbStaff(ctx.data_dir / "kiosk.db")
    text = (
        f'[[staff]]\nname = "Ola"\nrole = "manager"\npin_hash = "{hash_pin("7351")}"\n'
        '[[staff]]\nname = "Kim"\nrole = "cashier"\npin_hash = "not-a-hash"\n'
    )
    write(boot, text)
    bad = await provision_file(boot, ctx)
    assert [p.path for p in bad.problems] == ["staff[1].pin_hash"]
    write(boot, text.split('[[staff]]\nname = "Kim"')[0])
    result = await provision_file(boot, ctx)
    assert not result.failed, result.text
    async with await Database.open(ctx.data_dir / "kiosk.db") as db:
        assert (await verify_pin(db, "Ola", "7351")).role is Role.MANAGER
    again = await provision_file(boot, ctx)  # the hash stays in the file: nothing to do twice
    assert {s.name: s.outcome for s in again.steps}["staff"] is Outcome.UNCHANGED


async def test_a_boot_partition_the_user_may_not_write(
    ctx: Context, boot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from kiosk.provisioning import apply

    def refuse(*_args: object) -> bool:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(apply, "scrub_file", refuse)
    write(boot, '[wifi]\nssid = "ShopNet"\npassword = "correct horse"\n')
    result = await provision_file(boot, ctx)
    steps = {s.name: s for s in result.steps}
    # Left for kiosk-firstboot, which shreds the file as root once the run succeeded.
    assert steps["source file"].outcome is Outcome.LEFT
    assert "shreds it" in steps["source file"].detail
    assert not result.failed  # so kiosk-firstboot succeeds, and shreds the file
    assert "DONE, with 1 step(s) left" in result.text
    assert load_secrets(ctx.data_dir).section("provision_wifi")["password"] == "correct horse"

    def broken(*_args: object) -> bool:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(apply, "scrub_file", broken)
    again = await provision_file(boot, ctx)
    assert {s.name: s.outcome for s in again.steps}["source file"] is Outcome.FAILED
