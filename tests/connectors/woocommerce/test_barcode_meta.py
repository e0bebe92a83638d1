"""A shop's own barcode meta key (WooCommerceConfig.barcode_meta_key): the mapping, and a synced
catalog from the simulated store that finds products whose only barcode is under that key."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kiosk.checkout import utc_now
from kiosk.cli.demo_cmd import demo_catalog_path
from kiosk.config import Config, StoreConfig, SyncConfig
from kiosk.config_platforms import WooCommerceConfig
from kiosk.connectors.factory import open_connector
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.connectors.woocommerce.mapping import (
    BARCODE_META_KEYS,
    PRODUCT_FIELDS,
    VARIATION_FIELDS,
    product_from_woo,
    variation_from_woo,
)
from kiosk.connectors.woocommerce.platform import WooCommerceSecrets
from kiosk.core.models import SELLABLE_STATUSES
from kiosk.secrets import Secrets
from kiosk.sim.woocommerce import SimHandle, running_sim
from kiosk.store import catalog
from kiosk.store.db import Database
from kiosk.sync.engine import SyncEngine

FIXTURES = Path(__file__).parent / "fixtures"
KEY = "_my_shop_ean"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def meta(*pairs: tuple[str, Any]) -> list[dict[str, Any]]:
    return [{"id": i, "key": k, "value": v} for i, (k, v) in enumerate(pairs, start=1)]


def simple(gtin: str, *pairs: tuple[str, Any]) -> dict[str, Any]:
    obj: dict[str, Any] = fixture("product_simple")
    obj["global_unique_id"] = gtin
    obj["meta_data"] = meta(*pairs)
    return obj


# -- mapping ------------------------------------------------------------------------------------


def test_the_configured_key_wins_over_the_built_in_keys() -> None:
    obj = simple("", ("_global_unique_id", "111"), ("_barcode", "222"), (KEY, "4006381333931"))
    assert product_from_woo(obj, "GBP", barcode_meta_key=KEY).barcode == "4006381333931"
    # Without the key the built-in list decides, in its own order.
    assert product_from_woo(obj, "GBP").barcode == "111"


def test_global_unique_id_still_comes_first() -> None:
    obj = simple("5012345678900", (KEY, "4006381333931"))
    assert product_from_woo(obj, "GBP", barcode_meta_key=KEY).barcode == "5012345678900"


def test_a_configured_key_the_product_lacks_falls_back_to_the_built_in_keys() -> None:
    obj = simple("", ("_ean", "4006381333931"))
    assert product_from_woo(obj, "GBP", barcode_meta_key=KEY).barcode == "4006381333931"
    assert product_from_woo(simple(""), "GBP", barcode_meta_key=KEY).barcode == ""


def test_a_number_under_the_key_becomes_text() -> None:
    obj = simple("", (KEY, 4006381333931))
    assert product_from_woo(obj, "GBP", barcode_meta_key=KEY).barcode == "4006381333931"


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_a_blank_value_under_the_key_is_skipped(blank: str) -> None:
    obj = simple("", (KEY, blank), ("_barcode", "222"))
    assert product_from_woo(obj, "GBP", barcode_meta_key=KEY).barcode == "222"
    # WordPress may keep the same key twice: a blank first entry does not hide a later code.
    obj["meta_data"] = meta((KEY, blank), (KEY, " 4006381333931 "), ("_barcode", "222"))
    assert product_from_woo(obj, "GBP", barcode_meta_key=KEY).barcode == "4006381333931"


@pytest.mark.parametrize("value", [True, None, {"ean": "4006381333931"}, ["4006381333931"]])
def test_a_value_that_is_not_a_code_is_skipped(value: Any) -> None:
    obj = simple("", (KEY, value), ("_barcode", "222"))
    assert product_from_woo(obj, "GBP", barcode_meta_key=KEY).barcode == "222"


def test_surrounding_spaces_in_the_configured_key_are_ignored() -> None:
    obj = simple("", (KEY, "4006381333931"))
    assert product_from_woo(obj, "GBP", barcode_meta_key=f" {KEY} ").barcode == "4006381333931"


def test_a_variation_reads_the_configured_key_too() -> None:
    parent = product_from_woo(fixture("product_variable"), "GBP")
    obj = fixture("variation")
    obj["global_unique_id"] = ""
    obj["meta_data"] = meta(("_gtin", "111"), (KEY, "4006381333948"))
    v = variation_from_woo(obj, parent, "GBP", barcode_meta_key=KEY)
    assert v.barcode == "4006381333948"
    assert variation_from_woo(obj, parent, "GBP").barcode == "111"


def test_listings_ask_for_meta_data() -> None:
    assert "meta_data" in PRODUCT_FIELDS
    assert "meta_data" in VARIATION_FIELDS
    assert KEY not in BARCODE_META_KEYS  # else the end-to-end test below would prove nothing


# -- end to end: the simulated store, the factory, the sync engine, the catalog -----------------


def _export_with_codes_in(key: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The demo catalog with every barcode moved from global_unique_id into meta `key`, and
    code -> the id of the sellable product or variation that carries it."""
    export: dict[str, Any] = json.loads(demo_catalog_path().read_text())
    codes: dict[str, str] = {}
    objs = [*export["products"], *(v for kids in export["variations"].values() for v in kids)]
    for n, obj in enumerate(objs):
        code = obj.get("global_unique_id") or ""
        obj["global_unique_id"] = ""
        if code:
            # Some importers write codes as numbers: carry a few that way.
            value: str | int = int(code) if n % 3 == 0 else code
            obj["meta_data"] = [
                *obj.get("meta_data", []),
                {"id": 9000 + n, "key": key, "value": value},
            ]
            if obj["status"] in SELLABLE_STATUSES:  # a draft is not synced, so not scannable
                codes[code] = str(obj["id"])
    return export, codes


@dataclass
class Synced:
    sim: SimHandle
    db: Database
    codes: dict[str, str]


@asynccontextmanager
async def _sync(tmp_path: Path, *, key: str, plugin: bool) -> AsyncIterator[Synced]:
    export, codes = _export_with_codes_in(KEY)
    async with running_sim(export=export, plugin=plugin) as sim:
        config = Config(
            data_dir=tmp_path,
            store=StoreConfig(platform="woocommerce", url=sim.url),
            platform_settings=(WooCommerceConfig(barcode_meta_key=key),),
        )
        keys = WooCommerceSecrets(sim.consumer_key, sim.consumer_secret).into(Secrets())
        connector = open_connector(config, keys, locale="en_GB")
        assert isinstance(connector, WooConnector)
        db = await Database.open(tmp_path / "kiosk.db")
        try:
            report = await SyncEngine(
                db, connector, clock=utc_now, settings=SyncConfig()
            ).run_once()
            assert report.errors == []
            yield Synced(sim, db, codes)
        finally:
            await connector.close()
            await db.close()


@pytest.mark.parametrize("plugin", [True, False], ids=["plugin", "rest-only"])
async def test_products_with_codes_only_in_the_configured_key_are_found_by_scan(
    tmp_path: Path, plugin: bool
) -> None:
    async with _sync(tmp_path, key=KEY, plugin=plugin) as s:
        kinds = set()
        assert len(s.codes) > 10
        for code, store_id in s.codes.items():
            found = await catalog.find_by_code(s.db, code)
            assert found is not None, code
            assert (found.id, found.barcode) == (store_id, code)
            kinds.add(found.kind.value)
        assert kinds == {"simple", "variation"}  # both mapping paths carried the key
        # The listings the mapping reads asked the store for meta_data (the id audit need not).
        asked = {
            r.path.rsplit("/", 1)[-1]: r.query["_fields"].split(",")
            for r in s.sim.requests
            if r.method == "GET" and "sku" in r.query.get("_fields", "")
        }
        assert set(asked) == {"products", "variations"}
        assert all("meta_data" in fields for fields in asked.values())


async def test_without_the_key_configured_those_codes_are_not_found(tmp_path: Path) -> None:
    async with _sync(tmp_path, key="", plugin=True) as s:
        code = next(iter(s.codes))
        assert await catalog.find_by_code(s.db, code) is None
        assert (await catalog.get_product(s.db, s.codes[code])) is not None  # synced, no code
