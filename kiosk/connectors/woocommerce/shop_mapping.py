"""WooCommerce REST v3 categories, customers, tax rates and settings to domain objects.

Pure functions, no I/O. Every function raises MappingError, naming the object's id and the field,
when an object is not usable; callers skip and log such items and carry on with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from kiosk.connectors.woocommerce.fields import (
    MappingError,
    Reader,
    required_id,
    shown,
    tax_class_of,
)
from kiosk.core import tax_woocommerce
from kiosk.core.models import Category, Customer, ShopSettings, TaxRate
from kiosk.core.money import check_currency
from kiosk.core.text import EMAIL_MAX, LABEL_MAX, PHONE_MAX, SLUG_MAX, clean

_RATE_CHARS = 40  # "20.0000" with room to spare

# -- categories, customers, tax rates -----------------------------------------------------------


def category_from_woo(obj: Mapping[str, Any]) -> Category:
    """Map a /products/categories object; parent 0 means a top-level category.

    The name is shortened past core.text.LABEL_MAX; a name that held only invisible characters,
    or a slug past SLUG_MAX, makes the category unusable (MappingError).
    """
    r = Reader("category", obj)
    name = r.label("name", LABEL_MAX)
    if not name and r.emptied("name"):
        raise r.fail("name holds only control or invisible characters")
    return Category(
        id=required_id(r),
        name=name,
        parent_id=r.ref("parent"),
        slug=r.code("slug", SLUG_MAX),
        position=r.whole("menu_order", 0),
    )


def customer_from_woo(obj: Mapping[str, Any]) -> Customer:
    """Map a /customers object; names, email and phone fall back to the billing address.

    Names and company are shortened past core.text.LABEL_MAX; an email or phone number too long
    to be one (EMAIL_MAX, PHONE_MAX) cannot be shortened into a working one: MappingError.
    """
    r = Reader("customer", obj)
    billing = _address(r, "billing")
    shipping = _address(r, "shipping")
    return Customer(
        id=required_id(r),
        first_name=r.label("first_name", LABEL_MAX) or billing.label("first_name", LABEL_MAX),
        last_name=r.label("last_name", LABEL_MAX) or billing.label("last_name", LABEL_MAX),
        email=r.code("email", EMAIL_MAX) or billing.code("email", EMAIL_MAX),
        phone=billing.code("phone", PHONE_MAX) or shipping.code("phone", PHONE_MAX),
        company=billing.label("company", LABEL_MAX) or shipping.label("company", LABEL_MAX),
        modified_at=r.gmt_datetime("date_modified_gmt"),
    )


def tax_rate_from_woo(obj: Mapping[str, Any]) -> TaxRate:
    """Map a /taxes object; the "standard" class becomes "" as products name it."""
    r = Reader("tax rate", obj)
    raw = obj.get("rate")
    # WooCommerce keeps 4 decimals; thousands of digits would make every sale's tax slow.
    text = raw.strip() if isinstance(raw, str) and len(raw) <= _RATE_CHARS else ""
    try:
        rate = Decimal(text) if text else Decimal("NaN")
    except InvalidOperation:
        rate = Decimal("NaN")
    if not rate.is_finite() or rate < 0:
        raise r.fail(f"rate {shown(raw)} is not a percentage (expected a string such as '20.0000')")
    return TaxRate(
        id=required_id(r),
        rate=rate,
        name=r.label("name", LABEL_MAX) or "Tax",
        tax_class=tax_class_of(r.code("class", SLUG_MAX)),
        priority=r.whole("priority", 1),
        compound=r.flag("compound", False),
        shipping=r.flag("shipping", True),
        country=r.text("country").upper(),
        state=r.text("state").upper(),
        # `postcode`/`city` are the single-valued fields WooCommerce deprecated in 5.3.
        postcodes=_texts(r, "postcodes") or _split(r.text("postcode")),
        cities=_texts(r, "cities") or _split(r.text("city")),
        order=r.whole("order", 0),
    )


# -- settings -----------------------------------------------------------------------------------


def shop_settings_from_woo(
    options: Mapping[str, str], *, locale: str, name: str = ""
) -> ShopSettings:
    """Build ShopSettings from the option ids and values of /settings/general and /settings/tax.

    `woocommerce_currency` is required; the rest default as a fresh WooCommerce store does.
    """
    if not isinstance(options, Mapping):
        raise MappingError("settings", None, "expected an object of option ids and values")

    def text(key: str) -> str:
        value: object = options.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise MappingError("settings", key, f"value {shown(value)} is not text")
        return clean(value)

    def yes(key: str, default: bool) -> bool:
        value: object = options.get(key)  # JSON written by hand may hold true/false
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if value in ("yes", "no"):
            return value == "yes"
        raise MappingError("settings", key, f"value {shown(value)} is not 'yes' or 'no'")

    currency = text("woocommerce_currency").upper()
    if not currency:
        raise MappingError("settings", "woocommerce_currency", "the shop currency is missing")
    try:
        check_currency(currency)
    except ValueError as exc:
        raise MappingError("settings", "woocommerce_currency", str(exc)) from None
    # "GB" for a whole country, "US:CA" for a country and state.
    country, _, state = text("woocommerce_default_country").partition(":")
    return ShopSettings(
        currency=currency,
        prices_include_tax=yes("woocommerce_prices_include_tax", False),
        round_at_subtotal=yes("woocommerce_tax_round_at_subtotal", False),
        taxes_enabled=yes("woocommerce_calc_taxes", False),  # WooCommerce's own default
        country=country.upper(),
        state=state.upper(),
        postcode=text("woocommerce_store_postcode"),
        city=text("woocommerce_store_city"),
        locale=locale,
        name=name,
        tax_policy=tax_woocommerce.NAME,  # the device prices sales with WC_Tax's arithmetic
    )


# -- helpers ------------------------------------------------------------------------------------


def _address(r: Reader, field: str) -> Reader:
    value = r.obj.get(field)
    return Reader(r.kind, {} if value is None else value, owner=r, at=field)


def _texts(r: Reader, field: str) -> tuple[str, ...]:
    value = r.obj.get(field)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise r.fail(f"{field} is not a list of text")
    return tuple(t for v in value if (t := clean(v)))


def _split(text: str) -> tuple[str, ...]:
    # The deprecated single fields hold several values separated by ";".
    return tuple(p.strip() for p in text.split(";") if p.strip())


__all__ = [
    "category_from_woo",
    "customer_from_woo",
    "shop_settings_from_woo",
    "tax_rate_from_woo",
]
