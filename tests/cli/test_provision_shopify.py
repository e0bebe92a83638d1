"""`kiosk provision shopify` against the simulated shop: scopes, locations, webhooks, saved 0600."""

from __future__ import annotations

import json
import stat
from decimal import Decimal
from pathlib import Path

from kiosk.config import Config, StoreConfig, load_config, save_config
from kiosk.config_platforms import ShopifyConfig
from kiosk.connectors.shopify.platform import ShopifySecrets
from kiosk.connectors.shopify.setup import TOPICS
from kiosk.secrets import load_secrets, secrets_path
from kiosk.sim.shopify import LOCATION, SimHandle, running_sim
from kiosk.store import catalog
from kiosk.store.db import Database
from tests.cli.test_provision import kiosk


async def _provision(data_dir: Path, sim: SimHandle, *extra: str) -> tuple[int, str, str]:
    return await kiosk(
        data_dir,
        "provision",
        "shopify",
        "--shop",
        sim.shop,
        "--token",
        sim.token,
        "--api-base",
        sim.url,
        *extra,
    )


async def test_provision_checks_saves_and_syncs(tmp_path: Path) -> None:
    async with running_sim(products=12) as sim:
        code, out, err = await _provision(tmp_path, sim, "--json")
        assert code == 0, err
        data = json.loads(out)
        assert (data["platform"], data["shop"], data["location"]) == ("shopify", sim.shop, LOCATION)
        assert "none registered" in data["webhooks"]
        assert sim.token not in out + err
        config = load_config(None, tmp_path)
        assert (config.store.platform, config.store.url) == ("shopify", sim.url)
        assert config.section(ShopifyConfig) == ShopifyConfig(shop=sim.shop, location=LOCATION)
        assert stat.S_IMODE(secrets_path(tmp_path).stat().st_mode) == 0o600
        assert ShopifySecrets.of(load_secrets(tmp_path)).token == sim.token
        # The saved settings are enough for the first copy of the catalog.
        code, out, err = await kiosk(tmp_path, "sync", "--once", "--json")
        assert code == 0, err
        assert json.loads(out)["initial"] is True


async def test_missing_scopes_are_named(tmp_path: Path) -> None:
    async with running_sim(products=3) as sim:
        sim.state.scopes = ("read_products", "read_inventory", "read_locations", "read_orders")
        code, _out, err = await _provision(tmp_path, sim)
        assert code != 0
        assert "read_customers, write_orders" in err
        assert not secrets_path(tmp_path).exists()


async def test_a_wrong_token_is_refused_without_echoing_it(tmp_path: Path) -> None:
    async with running_sim(products=3) as sim:
        code, out, err = await kiosk(
            tmp_path,
            "provision",
            "shopify",
            "--shop",
            sim.shop,
            "--token",
            "shpat_wrong0123456789",
            "--api-base",
            sim.url,
        )
        assert code != 0
        assert "refused the Admin API access token" in err
        assert "shpat_wrong0123456789" not in out + err


async def test_several_locations_ask_for_one(tmp_path: Path) -> None:
    async with running_sim(products=3) as sim:
        second = sim.state.add_location(2, "Market stall")
        code, _out, err = await _provision(tmp_path, sim)
        assert code != 0
        assert "--location" in err
        assert "Market stall" in err
        assert "Shop floor (primary)" in err
        code, out, err = await _provision(tmp_path, sim, "--location", "2", "--json")
        assert code == 0, err
        assert json.loads(out)["location"] == second
        code, _out, err = await _provision(tmp_path, sim, "--location", "99")
        assert code != 0
        assert "no active location 99" in err


async def test_webhooks_are_registered_once_where_the_shop_can_reach_the_device(
    tmp_path: Path,
) -> None:
    public = "https://till-7.example"
    save_config(Config(data_dir=tmp_path, store=StoreConfig(public_url=public)))
    async with running_sim(products=3) as sim:
        for _ in range(2):  # provisioning again keeps what is right, adds nothing
            code, out, err = await _provision(tmp_path, sim, "--app-secret", "app-s3cret", "--json")
            assert code == 0, err
        hooks = list(sim.state.webhooks.values())
        assert sorted(h["topic"] for h in hooks) == sorted(TOPICS)
        assert {h["uri"] for h in hooks} == {f"{public}/webhooks/shopify"}
        assert "0 registered, 7 kept" in json.loads(out)["webhooks"]
        # The app's secret is what Shopify signs with: it is the device's webhook secret.
        assert load_secrets(tmp_path).webhook_secret == "app-s3cret"
        assert "app-s3cret" not in out + err


async def test_a_shop_name_that_is_not_myshopify_is_refused(tmp_path: Path) -> None:
    code, _out, err = await kiosk(
        tmp_path, "provision", "shopify", "--shop", "shop.example.com", "--token", "x"
    )
    assert code != 0
    assert "NAME.myshopify.com" in err


async def test_the_tills_tax_rate_is_saved_and_synced(tmp_path: Path) -> None:
    async with running_sim(products=5) as sim:
        code, _out, err = await _provision(tmp_path, sim, "--tax-rate", "2O")
        assert code != 0
        assert "--tax-rate '2O' must be a percentage" in err
        code, out, err = await _provision(
            tmp_path, sim, "--tax-rate", "20", "--tax-name", "VAT", "--json"
        )
        assert code == 0, err
        assert json.loads(out)["tax_rate"] == "20"
        shopify = load_config(None, tmp_path).section(ShopifyConfig)
        assert (shopify.tax_rate, shopify.tax_name) == ("20", "VAT")
        code, _out, err = await kiosk(tmp_path, "sync", "--once", "--json")
        assert code == 0, err
        async with await Database.open(tmp_path / "kiosk.db") as db:
            [rate] = await catalog.tax_rates(db)
        assert (rate.rate, rate.name) == (Decimal(20), "VAT")
