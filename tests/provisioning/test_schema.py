"""A provisioning file with problems: every bad field named by its path, and nothing applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.provisioning.run import Context, provision_file
from kiosk.provisioning.wifi import FakeWifi
from tests.provisioning.conftest import SERIAL, read, write

BAD = f"""
[device]
name = "Till"
order_prefix = "has space"

[store]
platform = "magento"
url = "ftp://shop"

[woocommerce]
consumer_key = "ck_1"
auth = "cookie"
colour = "red"

[sync]
interval_s = "often"
concurrency = 999

[stripe]
api_key = "sk_test_abc"

[wifi]
ssid = "ShopNet"
password = "short"
hidden = "yes"

[reader]
country = "Britain"

[[staff]]
name = "Ann"
role = "owner"
pin = 1234

[[staff]]
name = "ann"
role = "cashier"
pin = "12ab"

[devices."{SERIAL}"]
order_prefix = "T1-"

[devices."10000000beef0002"]
order_prefix = "T1-"
name = ""

[printer]
model = "x"
"""


async def test_every_bad_field_is_named_and_nothing_is_applied(
    ctx: Context, boot: Path, wifi: FakeWifi
) -> None:
    write(boot, BAD)
    result = await provision_file(boot, ctx)
    paths = {p.path for p in result.problems}
    assert paths >= {
        "device.order_prefix",
        "store.platform",
        "store.url",
        "woocommerce.auth",
        "woocommerce.colour",
        "sync.interval_s",
        "sync.concurrency",
        "wifi.password",
        "wifi.hidden",
        "reader.country",
        "staff[0].role",
        "staff[0].pin",
        "staff[1].name",
        "staff[1].pin",
        "staff",
        'devices."10000000beef0002".order_prefix',
        'devices."10000000beef0002".name',
        "printer",
    }, paths
    assert result.failed
    assert not result.steps
    # Nothing applied: no settings, no secrets, no WiFi joined, the source untouched.
    assert not ctx.data_dir.exists()
    assert wifi.joined == []
    assert read(boot) == BAD
    report = read(boot.parent / "kiosk-provisioned.txt")
    assert "NOT APPLIED" in report
    assert "woocommerce.auth: must be basic or query, not 'cookie'" in report
    assert "ck_1" not in report


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        (
            '[store]\nplatform = "woocommerce"\nurl = "https://s.example"\n',
            "woocommerce.consumer_key",
            "missing",
        ),
        ('[shopify]\nshop = "demo.myshopify.com"\n', "shopify.token", "missing"),
        ('[stripe]\napi_key = "sk_live_x"\n', "stripe.api_key", "secret key"),
        ('[stripe]\napi_key = "pk_test_x"\n', "stripe.api_key", "publishable"),
        ('[wifi]\npassword = "longenough"\n', "wifi.ssid", "must be text"),
        ('[wifi]\nssid = "' + "x" * 33 + '"\n', "wifi.ssid", "32 bytes"),
        ('[[staff]]\nname = "Bob"\nrole = "cashier"\npin = "1234"\n', "staff", "manager"),
        ('[[staff]]\nname = "Bob"\nrole = "manager"\n', "staff[0].pin", "missing"),
        (
            '[store]\nplatform = "woocommerce"\n[woocommerce]\nconsumer_key = "a"\n'
            'consumer_secret = "b"\n',
            "",
            "set together",
        ),
        ("[device\n", "", "not valid TOML"),
        ('[shop]\nlocale = "xx_NOPE"\ncurrency = "EURO"\n', "shop.currency", ""),
    ],
)
async def test_each_kind_of_bad_field(
    ctx: Context, boot: Path, text: str, path: str, words: str
) -> None:
    write(boot, text)
    result = await provision_file(boot, ctx)
    named = {p.path: p.message for p in result.problems}
    assert path in named, named
    assert words in named[path]
    assert not ctx.data_dir.exists()


async def test_a_serial_not_in_the_table_keeps_device_and_says_so(ctx: Context, boot: Path) -> None:
    write(boot, '[device]\nname = "Spare"\n[devices."10000000beef0002"]\nname = "Other"\n')
    result = await provision_file(boot, ctx)
    assert not result.failed
    assert any("not in [devices]" in n for n in result.notes)
    assert 'name = "Spare"' in read(ctx.data_dir / "kiosk.toml")
