"""WooCommerce REST v3 JSON (as a WooCommerce 9.x store returns it) to the domain's value objects.

Pure functions, no I/O. Every function raises MappingError, naming the object's id and the field,
when an object is not usable; callers skip and log such items and carry on with the rest.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, TypeVar

from kiosk.core.models import (
    Attribute,
    Category,
    Customer,
    Product,
    ProductKind,
    ShopSettings,
    StockStatus,
    TaxRate,
    TaxStatus,
)
from kiosk.core.money import Money, check_currency

# Where barcodes live when the store predates `global_unique_id` (WC 9.2) or a plugin keeps them,
# in the order we trust them.
BARCODE_META_KEYS: tuple[str, ...] = (
    "_global_unique_id",
    "_barcode",
    "barcode",
    "_ean",
    "ean",
    "_gtin",
    "gtin",
)

# Product types the counter sells; grouped and external products have no price of their own to
# ring up (a group lists other products, an external one is sold on another site).
_SOLD_TYPES = {"simple": ProductKind.SIMPLE, "variable": ProductKind.VARIABLE}
_SKIPPED_TYPES = frozenset({"grouped", "external"})


# A catalog repeats the same few thousand price strings; Money is immutable, so share them.
_parse_price = functools.lru_cache(maxsize=4096)(Money.parse)


class MappingError(ValueError):
    """A store object the device cannot use; `kind` and `id` say which, `reason` says why."""

    def __init__(self, kind: str, id: str | None, reason: str) -> None:
        self.kind = kind
        self.id = id
        self.reason = reason
        super().__init__(f"{kind} {id if id is not None else '(no id)'}: {reason}")


class UnsupportedProductType(MappingError):
    """A well-formed product of a type that is not sold at a counter (grouped, external)."""


# -- field readers ------------------------------------------------------------------------------

_E = TypeVar("_E", StockStatus, TaxStatus)


class _Reader:
    """Reads the fields of one object, raising MappingError that names the object and field.

    A nested object (a customer's billing address) is read on behalf of its owner: its errors
    carry the owner's kind and id and name the field as "billing.phone".
    """

    def __init__(
        self, kind: str, obj: object, *, owner: _Reader | None = None, at: str = ""
    ) -> None:
        self.kind: str = owner.kind if owner else kind
        self.id: str | None = owner.id if owner else None
        self.prefix = f"{at}." if at else ""
        if not isinstance(obj, Mapping):
            raise self.fail(f"expected a JSON object, got {type(obj).__name__}")
        self.obj: Mapping[str, Any] = obj
        if owner is None:
            self.id = self.id_of(obj.get("id"), "id")

    def fail(self, reason: str) -> MappingError:
        return MappingError(self.kind, self.id, self.prefix + reason)

    def id_of(self, value: object, field: str) -> str:
        # WooCommerce ids are positive integers; JSON written by other tools may quote them.
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return str(value)
        if isinstance(value, str) and value.isdigit() and int(value) > 0:
            return str(int(value))
        if value is None:
            raise self.fail(f"{field} is missing")
        raise self.fail(f"{field} {value!r} is not a positive integer id")

    def ref(self, field: str) -> str | None:
        """An optional reference to another object; 0, null or missing mean none."""
        value = self.obj.get(field)
        if value in (None, 0, "0", ""):
            return None
        return self.id_of(value, field)

    def text(self, field: str, default: str = "") -> str:
        value = self.obj.get(field)
        if value is None:
            return default
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # e.g. a numeric SKU or barcode some importers write as a number
        raise self.fail(f"{field} {value!r} is not text")

    def flag(self, field: str, default: bool) -> bool:
        value = self.obj.get(field)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        raise self.fail(f"{field} {value!r} is not true or false")

    def integer(self, field: str, default: int | None) -> int | None:
        value = self.obj.get(field)
        if value is None:
            return default
        # Stock plugins may send 5.0 for 5; anything fractional is not a count we can trust.
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise self.fail(f"{field} {value!r} is not a whole number")

    def whole(self, field: str, default: int) -> int:
        value = self.integer(field, default)
        return default if value is None else value

    def money(self, field: str, currency: str) -> Money | None:
        """A price string ("12.50"); "" or missing means no price."""
        value = self.obj.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise self.fail(f"{field} {value!r} is not a price (expected a string such as '12.50')")
        try:
            amount = _parse_price(value, currency)
        except ValueError:
            amount = self._rounded(field, value, currency)
        if amount.minor < 0:
            raise self.fail(f"{field} {value!r} is negative")
        return amount

    def _rounded(self, field: str, value: str, currency: str) -> Money:
        # Stores that enter prices ex tax often keep 4 decimals ("8.3333") so that the price with
        # tax is round. The device counts minor units: round half up, as WooCommerce displays it.
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise self.fail(f"{field} {value!r} is not a price (expected digits such as 12.50)")
        return Money.from_decimal(number, currency)

    def choice(self, field: str, enum: type[_E], default: _E) -> _E:
        value = self.obj.get(field)
        if value is None or value == "":
            return default
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            raise self.fail(f"{field} {value!r} is not one of {allowed}") from None

    def gmt_datetime(self, field: str) -> datetime | None:
        """WooCommerce's *_gmt dates are naive ISO strings in UTC ("2024-05-01T09:30:00")."""
        value = self.obj.get(field)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.fail(f"{field} {value!r} is not a date")
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise self.fail(f"{field} {value!r} is not an ISO date") from None
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)

    def objects(self, field: str) -> Sequence[Mapping[str, Any]]:
        value = self.obj.get(field)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(f"{field} is not a list of objects")
        return value


# -- catalog ------------------------------------------------------------------------------------


def product_from_woo(obj: Mapping[str, Any], currency: str) -> Product:
    """Map a /products object (simple or variable) priced in `currency`.

    Raises UnsupportedProductType (a MappingError) for grouped and external products, which a
    counter cannot sell, and MappingError for anything malformed.
    """
    r = _Reader("product", obj)
    check_currency(currency)
    type_ = obj.get("type", "simple")
    if not isinstance(type_, str):
        raise r.fail(f"type {type_!r} is not text")
    if type_ in _SKIPPED_TYPES:
        raise UnsupportedProductType(
            "product", r.id, f"type {type_!r} products are not sold at the counter"
        )
    if type_ not in _SOLD_TYPES:
        raise r.fail(f"type {type_!r} is not one of simple, variable, grouped, external")
    kind = _SOLD_TYPES[type_]
    images = r.objects("images")
    stock = _stock(r)
    return Product(
        id=_required_id(r),
        kind=kind,
        name=r.text("name"),
        price=r.money("price", currency),
        sku=r.text("sku"),
        barcode=_barcode(r),
        regular_price=r.money("regular_price", currency),
        tax_status=r.choice("tax_status", TaxStatus, TaxStatus.TAXABLE),
        tax_class=_tax_class(r.text("tax_class")),
        manage_stock=stock.manage_stock,
        stock_quantity=stock.stock_quantity,
        stock_status=stock.stock_status,
        status=r.text("status", "publish"),
        attributes=_product_attributes(r, variations_only=kind is ProductKind.VARIABLE),
        category_ids=_category_ids(r),
        image_url=_image_src(r, images[0]) if images else "",
        modified_at=r.gmt_datetime("date_modified_gmt"),
    )


def variation_from_woo(obj: Mapping[str, Any], parent: Product, currency: str) -> Product:
    """Map a /products/<id>/variations object of `parent` (already mapped) priced in `currency`.

    A variation has no categories of its own (it takes the parent's), may name no image or tax
    class of its own (it takes the parent's), and `manage_stock: "parent"` means the parent counts
    the stock, so the variation itself does not manage any.
    """
    r = _Reader("variation", obj)
    check_currency(currency)
    attributes = _variation_attributes(r)
    name = r.text("name")
    if not name:
        options = ", ".join(a.options[0] for a in attributes)
        name = f"{parent.name} - {options}" if options else parent.name
    tax_class = r.text("tax_class")
    image = obj.get("image")
    if image is not None and not isinstance(image, Mapping):
        raise r.fail("image is not an object")
    stock = _stock(r)
    return Product(
        id=_required_id(r),
        kind=ProductKind.VARIATION,
        name=name,
        price=r.money("price", currency),
        sku=r.text("sku"),
        barcode=_barcode(r),
        parent_id=parent.id,
        regular_price=r.money("regular_price", currency),
        tax_status=r.choice("tax_status", TaxStatus, parent.tax_status),
        tax_class=parent.tax_class if tax_class == "parent" else _tax_class(tax_class),
        manage_stock=stock.manage_stock,
        stock_quantity=stock.stock_quantity,
        stock_status=stock.stock_status,
        status=r.text("status", "publish"),
        attributes=attributes,
        category_ids=parent.category_ids,
        image_url=(_image_src(r, image) if image else "") or parent.image_url,
        modified_at=r.gmt_datetime("date_modified_gmt"),
    )


def category_from_woo(obj: Mapping[str, Any]) -> Category:
    """Map a /products/categories object; parent 0 means a top-level category."""
    r = _Reader("category", obj)
    return Category(
        id=_required_id(r),
        name=r.text("name"),
        parent_id=r.ref("parent"),
        slug=r.text("slug"),
        position=r.whole("menu_order", 0),
    )


def customer_from_woo(obj: Mapping[str, Any]) -> Customer:
    """Map a /customers object; names, email and phone fall back to the billing address."""
    r = _Reader("customer", obj)
    billing = _address(r, "billing")
    shipping = _address(r, "shipping")
    return Customer(
        id=_required_id(r),
        first_name=r.text("first_name") or billing.text("first_name"),
        last_name=r.text("last_name") or billing.text("last_name"),
        email=r.text("email") or billing.text("email"),
        phone=billing.text("phone") or shipping.text("phone"),
        company=billing.text("company") or shipping.text("company"),
        modified_at=r.gmt_datetime("date_modified_gmt"),
    )


def tax_rate_from_woo(obj: Mapping[str, Any]) -> TaxRate:
    """Map a /taxes object; the "standard" class becomes "" as products name it."""
    r = _Reader("tax rate", obj)
    raw = obj.get("rate")
    try:
        rate = Decimal(raw.strip()) if isinstance(raw, str) and raw.strip() else Decimal("NaN")
    except InvalidOperation:
        rate = Decimal("NaN")
    if not rate.is_finite() or rate < 0:
        raise r.fail(f"rate {raw!r} is not a percentage (expected a string such as '20.0000')")
    return TaxRate(
        id=_required_id(r),
        rate=rate,
        name=r.text("name") or "Tax",
        tax_class=_tax_class(r.text("class")),
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
            raise MappingError("settings", key, f"value {value!r} is not text")
        return value.strip()

    def yes(key: str, default: bool) -> bool:
        value: object = options.get(key)  # JSON written by hand may hold true/false
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if value in ("yes", "no"):
            return value == "yes"
        raise MappingError("settings", key, f"value {value!r} is not 'yes' or 'no'")

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
    )


# -- helpers ------------------------------------------------------------------------------------


def _required_id(r: _Reader) -> str:
    assert r.id is not None  # _Reader refuses an object without one
    return r.id


def _category_ids(r: _Reader) -> tuple[str, ...]:
    return tuple(
        r.id_of(c.get("id"), f"categories[{i}].id") for i, c in enumerate(r.objects("categories"))
    )


def _tax_class(slug: str) -> str:
    return "" if slug == "standard" else slug


def _barcode(r: _Reader) -> str:
    code = r.text("global_unique_id")
    if code:
        return code
    meta: dict[str, str] = {}
    for entry in r.objects("meta_data"):
        key, value = entry.get("key"), entry.get("value")
        if isinstance(key, str) and isinstance(value, str | int) and not isinstance(value, bool):
            meta.setdefault(key, str(value).strip())
    return next((meta[k] for k in BARCODE_META_KEYS if meta.get(k)), "")


class _Stock(NamedTuple):
    manage_stock: bool
    stock_quantity: int | None
    stock_status: StockStatus


def _stock(r: _Reader) -> _Stock:
    manage = r.obj.get("manage_stock")
    if manage == "parent":
        managed = False
    elif manage is None or isinstance(manage, bool):
        managed = bool(manage)
    else:
        raise r.fail(f"manage_stock {manage!r} is not true, false or 'parent'")
    quantity = r.integer("stock_quantity", None)
    return _Stock(
        managed,
        # Without stock management the number is either absent or the parent's shared count;
        # keeping it would invite the till to count it down as if it were this item's own.
        quantity if managed else None,
        r.choice("stock_status", StockStatus, StockStatus.IN_STOCK),
    )


def _product_attributes(r: _Reader, *, variations_only: bool) -> tuple[Attribute, ...]:
    # A variable product's picker needs only the attributes its variations are made of; the
    # others ("Material: Cotton") are descriptions, kept on simple products for the display.
    result = []
    for i, a in enumerate(r.objects("attributes")):
        name, options = a.get("name"), a.get("options")
        if not isinstance(name, str) or not name.strip():
            raise r.fail(f"attributes[{i}] has no name")
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            raise r.fail(f"attributes[{i}] ({name}) options is not a list of text")
        if variations_only and a.get("variation") is False:
            continue
        result.append(Attribute(name.strip(), tuple(o.strip() for o in options)))
    return tuple(result)


def _variation_attributes(r: _Reader) -> tuple[Attribute, ...]:
    result = []
    for i, a in enumerate(r.objects("attributes")):
        name, option = a.get("name"), a.get("option")
        if not isinstance(name, str) or not name.strip():
            raise r.fail(f"attributes[{i}] has no name")
        if not isinstance(option, str):
            raise r.fail(f"attributes[{i}] ({name}) option {option!r} is not text")
        if option.strip():  # "" means "any value" of this attribute: nothing to show
            result.append(Attribute(name.strip(), (option.strip(),)))
    return tuple(result)


def _image_src(r: _Reader, image: Mapping[str, Any]) -> str:
    src = image.get("src", "")
    if not isinstance(src, str):
        raise r.fail(f"image src {src!r} is not text")
    return src


def _address(r: _Reader, field: str) -> _Reader:
    value = r.obj.get(field)
    return _Reader(r.kind, {} if value is None else value, owner=r, at=field)


def _texts(r: _Reader, field: str) -> tuple[str, ...]:
    value = r.obj.get(field)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise r.fail(f"{field} is not a list of text")
    return tuple(v.strip() for v in value if v.strip())


def _split(text: str) -> tuple[str, ...]:
    # The deprecated single fields hold several values separated by ";".
    return tuple(p.strip() for p in text.split(";") if p.strip())


__all__ = [
    "BARCODE_META_KEYS",
    "MappingError",
    "UnsupportedProductType",
    "category_from_woo",
    "customer_from_woo",
    "product_from_woo",
    "shop_settings_from_woo",
    "tax_rate_from_woo",
    "variation_from_woo",
]
