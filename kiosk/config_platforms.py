"""Each store platform's own section of kiosk.toml ([woocommerce], [shopify]) and its checks.

The sections are declared here, below the connectors, so that config checks every setting as it
loads without importing connector code (and without depending on which platform packages some
caller happened to import first). A platform package reads its own with `config.section(cls)`.
Adding a platform's settings is a dataclass and a row in PLATFORM_SECTIONS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.config_checks import Rule, existing_file, matches, url


@dataclass(frozen=True, slots=True)
class WooCommerceConfig:
    auth: str = "basic"  # over HTTPS: "basic", or "query" for hosts that strip Authorization
    ca_file: str = ""  # a PEM for a store behind a private certificate authority
    barcode_meta_key: str = ""  # the product meta key a barcode plugin keeps EANs in, if any
    # How the REST API is reached: "pretty" (/wp-json/...) or "rest_route" (?rest_route=/...,
    # sites without pretty permalinks); found by `kiosk provision woocommerce`.
    api_route: str = "pretty"


@dataclass(frozen=True, slots=True)
class ShopifyConfig:
    shop: str = ""  # NAME.myshopify.com ("": the host of store.url)
    location: str = ""  # the POS location's id (a GID or its number; "": the primary location)
    api_version: str = "2026-10"  # the Admin API version every request names
    # Shopify's Admin API lists no tax rates (Shopify computes taxes itself, online): the rate
    # the till charges on taxable lines, in percent ("20", "8.875"; "": none), and its name.
    tax_rate: str = ""
    tax_name: str = "Tax"


@dataclass(frozen=True, slots=True)
class StripeConfig:
    """The card reader's account settings (`kiosk provision stripe`, `kiosk reader pair`)."""

    location: str = ""  # the Terminal location readers are registered at (tml_...)
    reader: str = ""  # the paired reader (tmr_...); "": none paired, so no card payments
    api_base: str = ""  # "" is Stripe itself; the simulator's address in tests and the demo


@dataclass(frozen=True, slots=True)
class PlatformSection:
    name: str  # the [section], which is the platform's name in store.platform
    settings: type[Any]  # a frozen dataclass of str and int fields, all with defaults
    checks: Mapping[str, Rule]  # field -> its rule, as config_checks.CHECKS
    # Settings that files written before the section existed keep under [store]: read from
    # there (and KIOSK_STORE_<FIELD>), written back here.
    from_store: tuple[str, ...] = field(default=())


WOOCOMMERCE = PlatformSection(
    "woocommerce",
    WooCommerceConfig,
    {
        "auth": ("basic", "query"),
        "ca_file": existing_file,
        "barcode_meta_key": matches(r"\S*", "not contain spaces"),
        "api_route": ("pretty", "rest_route"),
    },
    from_store=("auth", "ca_file", "barcode_meta_key"),
)

SHOPIFY = PlatformSection(
    "shopify",
    ShopifyConfig,
    {
        "shop": matches(r"([a-z0-9][a-z0-9-]*\.myshopify\.com)?", "be NAME.myshopify.com"),
        "location": matches(r"(gid://shopify/Location/\d+|\d+)?", "be a location id"),
        "api_version": matches(r"\d{4}-\d{2}|unstable", "be a version such as 2026-10"),
        "tax_rate": matches(r"(\d{1,2}(\.\d{1,4})?)?", "be a percentage such as 20 or 8.875"),
        "tax_name": matches(r"\S.{0,39}", "be a name of 1 to 40 characters"),
    },
)

# Not a store platform, but the card reader's: a section declared the same way.
STRIPE = PlatformSection(
    "stripe",
    StripeConfig,
    {
        "location": matches(r"(tml_[A-Za-z0-9]+)?", "be a Terminal location id (tml_...)"),
        "reader": matches(r"(tmr_[A-Za-z0-9]+)?", "be a Terminal reader id (tmr_...)"),
        "api_base": url,
    },
)

# In file order, after the neutral sections.
PLATFORM_SECTIONS: dict[str, PlatformSection] = {s.name: s for s in (WOOCOMMERCE, SHOPIFY, STRIPE)}


def moved_from_store(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A file's tables with the platform settings it keeps under [store] in their own sections.

    Returns them and what moved ("woocommerce.auth" -> "store.auth"); ValueError when a setting
    is in both places. So an older file reads as the new layout, and is saved in it.
    """
    store = raw.get("store")
    if not isinstance(store, Mapping):
        return raw, {}  # no [store], or not a table, which loading refuses
    raw, store, moved = dict(raw), dict(store), {}
    for name, section in PLATFORM_SECTIONS.items():
        own = raw.get(name, {})
        old = [key for key in section.from_store if key in store]
        if not old:
            continue
        if not isinstance(own, Mapping):
            raise ValueError(f"[{name}] must be a table")
        own = dict(own)
        for key in old:
            if key in own:
                raise ValueError(
                    f"{name}.{key} is also set as store.{key}, its old place: remove store.{key}"
                )
            own[key] = store.pop(key)
            moved[f"{name}.{key}"] = f"store.{key}"
        raw[name] = own
    raw["store"] = store
    return raw, moved
