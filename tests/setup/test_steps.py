"""Every wizard step and its error paths, resume after a kill at each step, and revisiting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.config import load_config
from kiosk.config_platforms import ShopifyConfig, StripeConfig
from kiosk.connectors.woocommerce.platform import WooCommerceSecrets
from kiosk.network.base import Link, LinkKind
from kiosk.provisioning.apply import check_store
from kiosk.secrets import load_secrets
from kiosk.setup.steps import STEPS, Done, Form, SetupDeps, Wizard, estimate_s
from kiosk.sim.shopify import running_sim as running_shopify
from kiosk.sim.stripe import running_stripe_sim
from kiosk.sim.woocommerce import running_sim as running_woo
from kiosk.store import catalog
from kiosk.store.db import Database
from tests.setup.conftest import FakeHardware, FakeLink, FakeSync

GOOD: dict[str, list[dict[str, Any]]] = {
    "locale": [{"locale": "en_GB", "currency": "GBP"}],
    "network": [{"ssid": "ShopNet", "password": "correct horse"}],
    "store": [
        {
            "platform": "woocommerce",
            "url": "https://shop.example",
            "consumer_key": "ck_1",
            "consumer_secret": "cs_1",
        }
    ],
    "sync": [{"start": True}],
    "hardware": [{"test": "scanner"}, {"test": "printer"}, {"test": "drawer"}, {"next": True}],
    "reader": [{"skip": True}],
    "staff": [{"name": "Mia", "role": "manager", "pin": "4821"}, {"done": True}],
}


async def walk(wizard: Wizard, steps: tuple[str, ...]) -> Form | Done:
    result: Form | Done = await wizard.current()
    for step in steps:
        for data in GOOD[step]:
            result = await wizard.submit(step, data)
            if isinstance(result, Form):
                assert not result.errors, (step, result.errors)
    return result


def form(result: Form | Done) -> Form:
    assert isinstance(result, Form), result
    return result


async def test_the_whole_wizard(wizard: Wizard, data_dir: Path) -> None:
    assert form(await wizard.current()).step == "locale"
    assert isinstance(await walk(wizard, STEPS), Done)
    config = load_config(None, data_dir)
    assert (config.shop.locale, config.shop.currency) == ("en_GB", "GBP")
    assert (config.store.platform, config.store.url) == ("woocommerce", "https://shop.example")
    saved = load_secrets(data_dir)
    assert WooCommerceSecrets.of(saved).consumer_secret == "cs_1"
    assert saved.webhook_secret
    state = (data_dir / "setup-state.json").read_text()
    assert "cs_1" not in state  # no secret in the wizard's own state
    assert "4821" not in state
    assert isinstance(await Wizard(data_dir, wizard.deps).current(), Done)


@pytest.mark.parametrize("k", range(len(STEPS)))
async def test_resume_after_a_kill_at_each_step(
    wizard: Wizard, data_dir: Path, deps: SetupDeps, k: int
) -> None:
    await walk(wizard, STEPS[:k])
    # The process dies here; a new one reads the wizard back from disk.
    again = Wizard(data_dir, deps)
    shown = form(await again.current())
    assert shown.step == STEPS[k]
    assert isinstance(await walk(again, STEPS[k:]), Done)


async def test_a_kill_mid_hardware_keeps_the_tests_passed(
    wizard: Wizard, data_dir: Path, deps: SetupDeps
) -> None:
    await walk(wizard, STEPS[:4])
    await wizard.submit("hardware", {"test": "printer"})
    again = form(await Wizard(data_dir, deps).current())
    assert (again.step, again.info["tests"]) == ("hardware", {"printer": True})


async def test_revisit_an_earlier_step(wizard: Wizard, data_dir: Path) -> None:
    await walk(wizard, STEPS[:3])
    assert "step" in form(await wizard.goto("staff")).errors  # not reached yet
    back = await wizard.goto("locale")
    assert back.values == {"locale": "en_GB", "currency": "GBP"}
    nxt = form(await wizard.submit("locale", {"locale": "de_DE", "currency": "EUR"}))
    assert nxt.step == "network"
    assert nxt.values == {"ssid": "ShopNet", "hidden": False}  # what it was given before
    assert load_config(None, data_dir).shop.locale == "de_DE"
    assert form(await wizard.back()).step == "locale"


async def test_locale_errors(wizard: Wizard) -> None:
    bad = form(await wizard.submit("locale", {"locale": "xx_NOPE", "currency": "EURO"}))
    assert bad.step == "locale"
    assert set(bad.errors) == {"locale", "currency"}


async def test_network_errors_and_skip(wizard: Wizard, deps: SetupDeps) -> None:
    await walk(wizard, ("locale",))
    cases = [
        ({"skip": True}, "ssid", "Ethernet"),
        ({"ssid": "ShopNet", "password": "short"}, "password", "8 to 63"),
        ({"ssid": "ShopNet", "password": "wrong horse"}, "password", "not accepted"),
        ({"ssid": "Elsewhere", "password": "correct horse"}, "ssid", "in range"),
        ({"ssid": ""}, "ssid", "empty"),
    ]
    for data, name, words in cases:
        bad = form(await wizard.submit("network", data))
        assert (bad.step, words in bad.errors.get(name, "")) == ("network", True), bad.errors
    assert isinstance(deps.link, FakeLink)
    deps.link.link = Link(LinkKind.ETHERNET)
    assert form(await wizard.submit("network", {"skip": True})).step == "store"


async def test_store_errors_against_the_simulators(wizard: Wizard, deps: SetupDeps) -> None:
    deps.check_store = check_store
    await walk(wizard, ("locale", "network"))

    def errors(result: Form | Done) -> dict[str, str]:
        shown = form(result)
        assert shown.step == "store"
        return dict(shown.errors)

    assert "platform" in errors(await wizard.submit("store", {"platform": "magento"}))
    async with running_woo(products=2) as woo:
        woo_in = {"platform": "woocommerce", "url": woo.url}
        bad_auth = {**woo_in, "consumer_key": "a", "consumer_secret": "b", "auth": "cookie"}
        assert "basic or query" in errors(await wizard.submit("store", bad_auth))["auth"]
        got = errors(await wizard.submit("store", {**woo_in, "consumer_key": woo.consumer_key}))
        assert got == {"consumer_secret": "must not be empty"}
        got = errors(
            await wizard.submit(
                "store", {**woo_in, "url": "ftp://x", "consumer_key": "a", "consumer_secret": "b"}
            )
        )
        assert "url" in got
        wrong = {**woo_in, "consumer_key": woo.consumer_key, "consumer_secret": "cs_" + "0" * 40}
        assert "refused the API keys" in errors(await wizard.submit("store", wrong))["consumer_key"]
        readonly = {
            **woo_in,
            "consumer_key": woo.readonly_key,
            "consumer_secret": woo.readonly_secret,
        }
        assert "read-only" in errors(await wizard.submit("store", readonly))["consumer_key"]
        gone_url = woo.url
    gone = {
        "platform": "woocommerce",
        "url": gone_url,
        "consumer_key": "ck_1",
        "consumer_secret": "cs_1",
    }
    assert "cannot reach" in errors(await wizard.submit("store", gone))["url"]
    async with running_shopify(products=2) as shop:
        good = {"platform": "shopify", "url": shop.url, "shop": shop.shop, "token": shop.token}
        assert set(errors(await wizard.submit("store", {**good, "token": "shpat_wrong"}))) == {
            "token"
        }
        assert form(await wizard.submit("store", good)).step == "sync"
    assert load_config(None, wizard.data_dir).section(ShopifyConfig).shop == shop.shop


async def test_sync_fails_in_words_then_succeeds_with_progress(
    wizard: Wizard, deps: SetupDeps
) -> None:
    await walk(wizard, STEPS[:3])
    assert isinstance(deps.sync, FakeSync)
    deps.sync.fail = "cannot reach https://shop.example"
    bad = form(await wizard.submit("sync", {"start": True}))
    assert (bad.step, bad.errors["sync"]) == (
        "sync",
        "cannot reach https://shop.example; try again",
    )
    deps.sync.fail = ""
    assert form(await wizard.submit("sync", {"start": True})).step == "hardware"
    assert wizard.progress["done"] == 1000
    assert wizard.progress["estimate_s"] == 0.0
    assert estimate_s(250, 1000, 10.0) == 30.0
    assert estimate_s(0, 1000, 10.0) is None


async def test_hardware_tests_and_skips(wizard: Wizard, deps: SetupDeps) -> None:
    await walk(wizard, STEPS[:4])
    missing = form(await wizard.submit("hardware", {"next": True}))
    assert set(missing.errors) == {"scanner", "printer", "drawer"}
    assert isinstance(deps.hardware, FakeHardware)
    deps.hardware.broken["printer"] = "out of paper"
    deps.hardware.code = None
    assert form(await wizard.submit("hardware", {"test": "printer"})).errors == {
        "printer": "out of paper"
    }
    assert (
        "no barcode" in form(await wizard.submit("hardware", {"test": "scanner"})).errors["scanner"]
    )
    await wizard.submit("hardware", {"test": "drawer"})
    skipping = {"next": True, "printer_skip": "printer arrives Monday", "scanner_skip": "typed"}
    assert form(await wizard.submit("hardware", skipping)).step == "reader"


async def test_reader_errors_then_paired(wizard: Wizard, data_dir: Path) -> None:
    await walk(wizard, STEPS[:5])
    assert "api_key" in form(await wizard.submit("reader", {})).errors
    async with running_stripe_sim(seed=5) as stripe:
        base = {"api_base": stripe.url, "country": "GB"}
        secret = form(await wizard.submit("reader", {**base, "api_key": stripe.secret_key}))
        assert "secret key" in secret.errors["api_key"]
        wrong = {**base, "api_key": stripe.restricted_key, "registration_code": "no-such-code"}
        assert "registration_code" in form(await wizard.submit("reader", wrong)).errors
        stripe.terminal.show_pairing_code("kiwi-lime-mango")
        good = {**base, "api_key": stripe.restricted_key, "registration_code": "kiwi-lime-mango"}
        assert form(await wizard.submit("reader", good)).step == "staff"
        assert load_config(None, data_dir).section(StripeConfig).reader in stripe.state.readers


async def test_staff_needs_a_manager(wizard: Wizard) -> None:
    await walk(wizard, STEPS[:6])
    assert "manager" in form(await wizard.submit("staff", {"done": True})).errors["staff"]
    bad = form(await wizard.submit("staff", {"name": "", "role": "owner", "pin": "11"}))
    assert set(bad.errors) == {"name", "role", "pin"}
    added = form(await wizard.submit("staff", {"name": "Sam", "role": "cashier", "pin": "2468"}))
    assert (added.errors, added.info["staff"]) == ({}, ["sam"])
    dup = form(await wizard.submit("staff", {"name": "SAM", "role": "cashier", "pin": "1357"}))
    assert "already" in dup.errors["name"]
    assert "manager" in form(await wizard.submit("staff", {"done": True})).errors["staff"]
    await wizard.submit("staff", {"name": "Mia", "role": "manager", "pin": "4821"})
    assert isinstance(await wizard.submit("staff", {"done": True}), Done)


async def test_the_real_initial_sync_against_the_simulator(
    wizard: Wizard, deps: SetupDeps, data_dir: Path
) -> None:
    from kiosk.setup.system import EngineSync

    deps.check_store, deps.sync = check_store, EngineSync()
    await walk(wizard, ("locale", "network"))
    async with running_woo(products=40) as woo:
        store = {
            "platform": "woocommerce",
            "url": woo.url,
            "consumer_key": woo.consumer_key,
            "consumer_secret": woo.consumer_secret,
        }
        assert form(await wizard.submit("store", store)).step == "sync"
        assert form(await wizard.submit("sync", {"start": True})).step == "hardware"
    counts = wizard.state.values["sync"]["counts"]
    async with await Database.open(data_dir / "kiosk.db") as db:
        held = await catalog.counts(db)
    assert counts["products"] == held.products > 30  # the sellable ones of the 40
    assert counts["variations"] == held.variations > 0
    assert wizard.progress["done"] == wizard.progress["total"] > 0
