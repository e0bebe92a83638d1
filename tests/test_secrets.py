"""Secrets live in a 0600 file, written whole, a section per platform, and never print."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from kiosk.connectors.woocommerce.platform import WooCommerceSecrets
from kiosk.secrets import Secrets, SecretsError, load_secrets, save_secrets, secrets_path

WOO = WooCommerceSecrets("ck_abc", "cs_def")


def _write(tmp_path: Path, data: object) -> Path:
    path = secrets_path(tmp_path)
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return path


def test_round_trip_with_mode_0600_even_under_a_loose_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = save_secrets(tmp_path, WOO.into(Secrets("whsec")))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {
        "webhook_secret": "whsec",
        "woocommerce": {"consumer_key": "ck_abc", "consumer_secret": "cs_def"},
    }
    loaded = load_secrets(tmp_path)
    assert loaded == WOO.into(Secrets("whsec"))
    assert WooCommerceSecrets.of(loaded) == WOO
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_missing_file_means_no_secrets_yet(tmp_path: Path) -> None:
    assert load_secrets(tmp_path) == Secrets()
    assert WooCommerceSecrets.of(load_secrets(tmp_path)) == WooCommerceSecrets()


def test_an_old_flat_file_is_read_and_saved_in_sections(tmp_path: Path) -> None:
    path = _write(
        tmp_path, {"consumer_key": "ck_abc", "consumer_secret": "cs_def", "webhook_secret": "wh"}
    )
    loaded = load_secrets(tmp_path)
    assert (WooCommerceSecrets.of(loaded), loaded.webhook_secret) == (WOO, "wh")
    save_secrets(tmp_path, loaded)
    assert json.loads(path.read_text()) == {
        "webhook_secret": "wh",
        "woocommerce": {"consumer_key": "ck_abc", "consumer_secret": "cs_def"},
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secrets(tmp_path) == loaded


def test_a_section_wins_over_flat_leftovers(tmp_path: Path) -> None:
    _write(tmp_path, {"consumer_key": "ck_old", "woocommerce": {"consumer_key": "ck_new"}})
    assert WooCommerceSecrets.of(load_secrets(tmp_path)).consumer_key == "ck_new"


def test_another_platforms_section_is_kept_through_a_save(tmp_path: Path) -> None:
    stripe = {"api_key": "sk_live_1"}
    path = _write(tmp_path, {"webhook_secret": "wh", "stripe": stripe})
    save_secrets(tmp_path, WOO.into(load_secrets(tmp_path)))
    saved = json.loads(path.read_text())
    assert (saved["stripe"], saved["woocommerce"]["consumer_key"]) == (stripe, "ck_abc")
    assert load_secrets(tmp_path).section("stripe") == stripe
    assert load_secrets(tmp_path).section("shopify") == {}


def test_a_value_that_is_not_text_is_named(tmp_path: Path) -> None:
    _write(tmp_path, {"woocommerce": {"consumer_key": 5}})
    with pytest.raises(
        SecretsError, match=r"secrets\.json: woocommerce\.consumer_key must be text"
    ):
        load_secrets(tmp_path)
    _write(tmp_path, {"webhook_secret": None})
    with pytest.raises(SecretsError, match=r"secrets\.json: webhook_secret must be text"):
        load_secrets(tmp_path)


def test_refuses_a_file_others_can_read(tmp_path: Path) -> None:
    path = save_secrets(tmp_path, WOO.into(Secrets()))
    path.chmod(0o644)
    with pytest.raises(SecretsError, match="chmod 600"):
        load_secrets(tmp_path)


def test_malformed_file_names_itself(tmp_path: Path) -> None:
    _write(tmp_path, [1, 2])
    with pytest.raises(SecretsError, match=r"secrets\.json"):
        load_secrets(tmp_path)


def test_repr_never_shows_a_key() -> None:
    keys = WooCommerceSecrets("ck_live_1234", "cs_live_5678")
    s = keys.into(Secrets("wh_9012")).with_section("stripe", {"api_key": "sk_3456"})
    for shown in (s, keys):
        for text in (repr(shown), str(shown), f"{shown}", str([shown])):
            for secret in ("1234", "5678", "9012", "3456"):
                assert secret not in text
    assert "woocommerce.consumer_key=***" in repr(s)
    assert "stripe.api_key=***" in repr(s)
    assert repr(keys) == "WooCommerceSecrets(consumer_key=***, consumer_secret=***)"
    assert repr(Secrets()) == "Secrets(webhook_secret=)"


def test_every_platform_section_is_masked_and_round_trips() -> None:
    from kiosk.connectors.shopify.platform import ShopifySecrets
    from kiosk.payments.stripe_setup import StripeSecrets

    for section in (
        WooCommerceSecrets("ck_live_1234", "cs_live_5678"),
        ShopifySecrets("shpat_1234"),
        StripeSecrets("rk_live_1234"),
    ):
        for text in (repr(section), str(section), f"{section}", str([section])):
            assert "1234" not in text
        assert type(section).of(section.into(Secrets("wh"))) == section
    assert repr(ShopifySecrets()) == "ShopifySecrets(token=)"
