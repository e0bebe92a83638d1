"""A deterministic generator of WooCommerce-shaped catalogs, for benchmarks and the simulators.

`generate_export(n, seed=s)` returns a catalog export dict (see kiosk.catalog_export) of a UK shop:
the same arguments always give the same dict, down to the key order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, TypeVar

from kiosk.catalog_export import FORMAT, paused_gc
from kiosk.core.money import check_currency, exponent
from kiosk.sim.catalog_words import (
    ADJECTIVES,
    CATEGORIES,
    COLOUR_ATTRIBUTE,
    COLOURS,
    FIRST_NAMES,
    LAST_NAMES,
    LOCALES,
    MAX_VARIATIONS,
    SIZE_ATTRIBUTE,
    SIZES,
    SUFFIXES,
    TOWNS,
    CategorySpec,
    shop_options,
    tax_rate_objects,
)

_T = TypeVar("_T")

_DAYS = [(date(2024, 1, 1) + timedelta(days=d)).isoformat() for d in range(365)]
_PRICE_ENDINGS = (99, 99, 99, 50, 0, 95, 49)  # pence


def _pick(rng: random.Random, items: Sequence[_T]) -> _T:
    # random() is several times faster than randrange() and just as reproducible.
    return items[int(rng.random() * len(items))]


def ean13(body: str) -> str:
    """`body` (12 digits) with its EAN-13 check digit appended."""
    if len(body) != 12 or not body.isdigit():
        raise ValueError(f"an EAN-13 body is 12 digits, not {body!r}")
    odd = sum(map(int, body[0::2]))
    even = sum(map(int, body[1::2]))
    return body + str((10 - (odd + 3 * even) % 10) % 10)


def is_valid_ean13(code: str) -> bool:
    """True if `code` is 13 digits whose last is the right check digit (ISBN-13 included)."""
    return len(code) == 13 and code.isdigit() and ean13(code[:12]) == code


def generate_export(
    products: int,
    *,
    variable_share: float = 0.2,
    variations_per: int = 10,
    seed: int = 0,
    currency: str = "GBP",
    customers: int = 20,
) -> dict[str, Any]:
    """A catalog export of `products` products, `variable_share` of them variable products with
    `variations_per` variations each, plus categories, UK VAT rates and `customers` customers.

    Deterministic: the same arguments give an identical dict. Barcodes and SKUs are unique.
    """
    if products < 0 or customers < 0:
        raise ValueError("products and customers must not be negative")
    if not 0 <= variable_share <= 1:
        raise ValueError(f"variable_share {variable_share} must be between 0 and 1")
    if not 1 <= variations_per <= MAX_VARIATIONS:
        raise ValueError(f"variations_per {variations_per} must be between 1 and {MAX_VARIATIONS}")
    check_currency(currency)
    gen = _Generator(random.Random(seed), currency, variations_per)
    with paused_gc():
        share = Fraction(variable_share).limit_denominator()
        product_objs, variations = gen.products(products, share)
    return {
        "format": FORMAT,
        "platform": "woocommerce",
        "shop": {"name": "Simulated Gift Shop", "locale": LOCALES.get(currency, "en_GB")},
        "settings": shop_options(currency),
        "categories": gen.categories(),
        "products": product_objs,
        "variations": variations,
        "tax_rates": tax_rate_objects(),
        "customers": [gen.customer(i) for i in range(customers)],
    }


class _Generator:
    """Holds the random stream and the counters that keep ids, SKUs and barcodes unique."""

    def __init__(self, rng: random.Random, currency: str, variations_per: int) -> None:
        self.rng = rng
        self.exp = exponent(currency)
        # What "one pound" is in minor units: 100 pence, or 100 yen for a currency without any.
        self.unit = 10**self.exp if self.exp else 100
        self.variations_per = variations_per
        self.next_id = 100  # WooCommerce shares one id space between products and variations
        self.ean_serial = 0
        self.isbn_serial = 0
        self.cat_ids = {c.slug: 15 + i for i, c in enumerate(CATEGORIES)}
        self.cat_refs = {
            c.slug: {"id": self.cat_ids[c.slug], "name": c.name, "slug": c.slug} for c in CATEGORIES
        }
        self.cat_counts = dict.fromkeys(self.cat_ids, 0)
        self.simple_cats = tuple(c for c in CATEGORIES if not c.apparel)
        self.apparel_cats = tuple(c for c in CATEGORIES if c.apparel)

    # -- products -------------------------------------------------------------------------------

    def products(
        self, count: int, share: Fraction
    ) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
        result: list[dict[str, Any]] = []
        variations: dict[str, list[dict[str, Any]]] = {}
        num, den = share.numerator, share.denominator
        for i in range(count):
            # Spread the variable products evenly: exactly floor(count * share) of them.
            if (i + 1) * num // den > i * num // den:
                parent, children = self.variable()
                variations[str(parent["id"])] = children
                result.append(parent)
            else:
                result.append(self.simple())
        return result, variations

    def simple(self) -> dict[str, Any]:
        rng = self.rng
        cat = _pick(rng, self.simple_cats)
        pid = self._id()
        regular = self._price(cat)
        sale = (regular * 4 // 5) if rng.random() < 0.08 else None
        manage, qty, status = self._stock()
        modified = self._date()
        return {
            "id": pid,
            "name": self._name(cat),
            "slug": f"product-{pid}",
            "type": "simple",
            "status": "publish" if rng.random() < 0.985 else "draft",
            "sku": f"{cat.sku}-{pid}",
            "global_unique_id": self._isbn() if cat.isbn else self._ean(),
            "price": self._fmt(sale if sale is not None else regular),
            "regular_price": self._fmt(regular),
            "sale_price": self._fmt(sale) if sale is not None else "",
            "on_sale": sale is not None,
            "purchasable": True,
            "tax_status": "taxable",
            "tax_class": cat.tax_class,
            "manage_stock": manage,
            "stock_quantity": qty,
            "stock_status": status,
            "backorders": "no",
            "categories": [self._cat_ref(cat)],
            "attributes": [],
            "variations": [],
            "images": [],
            "date_created_gmt": modified,
            "date_modified_gmt": modified,
            "meta_data": [],
        }

    def variable(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.rng
        cat = _pick(rng, self.apparel_cats)
        pid = self._id()
        name = self._name(cat)
        sku = f"{cat.sku}-{pid}"
        n = self.variations_per
        # Sizes x colours: a grid with at least n cells whose first n cells use every option.
        n_colours = rng.randint(max(1, math.ceil(n / len(SIZES))), min(n, len(COLOURS)))
        n_sizes = math.ceil(n / n_colours)
        start = rng.randrange(len(SIZES) - n_sizes + 1)
        sizes = SIZES[start : start + n_sizes]
        colours = rng.sample(COLOURS, n_colours)
        base = self._price(cat)
        parent_stock = rng.random() < 0.1  # the parent counts the stock for all its variations
        p_manage, p_qty, p_status = self._stock() if parent_stock else (False, None, "instock")
        children: list[dict[str, Any]] = []
        for k in range(n):
            size, (colour, code) = sizes[k // n_colours], colours[k % n_colours]
            vid = self._id()
            modified = self._date()
            # Bigger sizes cost a little more, as real shops often price them.
            regular = base + (SIZES.index(size) >= 4) * 2 * self.unit
            shown = self._fmt(regular)
            manage: bool | str
            if parent_stock:
                manage, qty, status = "parent", p_qty, p_status
            else:
                manage, qty, status = self._stock()
            children.append(
                {
                    "id": vid,
                    "name": f"{name} - {size}, {colour}",
                    "sku": f"{sku}-{size}-{code}",
                    "global_unique_id": self._ean(),
                    "price": shown,
                    "regular_price": shown,
                    "sale_price": "",
                    "on_sale": False,
                    "status": "publish",
                    "purchasable": True,
                    "tax_status": "taxable",
                    "tax_class": cat.tax_class,
                    "manage_stock": manage,
                    "stock_quantity": qty,
                    "stock_status": status,
                    "backorders": "no",
                    "image": None,
                    "attributes": [
                        {"id": 1, "name": "Size", "option": size},
                        {"id": 2, "name": "Colour", "option": colour},
                    ],
                    "menu_order": k,
                    "date_created_gmt": modified,
                    "date_modified_gmt": modified,
                    "meta_data": [],
                }
            )
        if not parent_stock:
            p_status = (
                "instock" if any(c["stock_status"] == "instock" for c in children) else "outofstock"
            )
        modified = max(c["date_modified_gmt"] for c in children)  # a variation bumps its parent
        parent = {
            "id": pid,
            "name": name,
            "slug": f"product-{pid}",
            "type": "variable",
            "status": "publish",
            "sku": sku,
            "global_unique_id": "",
            "price": self._fmt(base),  # a variable product shows its cheapest variation's price
            "regular_price": "",
            "sale_price": "",
            "on_sale": False,
            "purchasable": True,
            "tax_status": "taxable",
            "tax_class": cat.tax_class,
            "manage_stock": p_manage,
            "stock_quantity": p_qty,
            "stock_status": p_status,
            "backorders": "no",
            "categories": [self._cat_ref(cat)],
            "attributes": [
                {
                    **SIZE_ATTRIBUTE,
                    "position": 0,
                    "visible": True,
                    "variation": True,
                    "options": list(sizes),
                },
                {
                    **COLOUR_ATTRIBUTE,
                    "position": 1,
                    "visible": True,
                    "variation": True,
                    "options": [c for c, _ in colours],
                },
            ],
            "variations": [c["id"] for c in children],
            "images": [],
            "date_created_gmt": modified,
            "date_modified_gmt": modified,
            "meta_data": [],
        }
        return parent, children

    # -- pieces ---------------------------------------------------------------------------------

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def _name(self, cat: CategorySpec) -> str:
        rng = self.rng
        adj = _pick(rng, ADJECTIVES)
        material = _pick(rng, cat.materials)
        noun = _pick(rng, cat.nouns)
        suffix = _pick(rng, SUFFIXES)
        return f"{adj} {material} {noun} {suffix}" if suffix else f"{adj} {material} {noun}"

    def _price(self, cat: CategorySpec) -> int:
        """A price in minor units that looks like a shelf price (4.99, 12.50, 30.00)."""
        major = self.rng.randint(cat.low, cat.high)
        if self.exp == 0:
            return major * self.unit
        ending = _pick(self.rng, _PRICE_ENDINGS)
        scale: int = 10**self.exp
        return (major - (ending > 0)) * scale + ending * scale // 100

    def _fmt(self, minor: int) -> str:
        if self.exp == 0:
            return str(minor)
        whole, frac = divmod(minor, 10**self.exp)
        return f"{whole}.{frac:0{self.exp}d}"

    def _stock(self) -> tuple[bool, int | None, str]:
        """(manage_stock, stock_quantity, stock_status): most counted, a few sold out."""
        r = self.rng.random()
        if r < 0.65:
            qty = 0 if r < 0.04 else self.rng.randint(1, 150)
            return True, qty, "instock" if qty else "outofstock"
        if r < 0.67:
            return False, None, "outofstock"
        if r < 0.68:
            return False, None, "onbackorder"
        return False, None, "instock"

    def _ean(self) -> str:
        # Prefix 20-29 is GS1's in-store range: these codes never clash with real products. The
        # serial is spread by a multiplier coprime with 10**10, so codes stay unique but vary.
        self.ean_serial += 1
        return ean13(f"2{(self.ean_serial * 7_919_393 + 1_234_567) % 10**11:011d}")

    def _isbn(self) -> str:
        self.isbn_serial += 1
        return ean13(f"9781{(self.isbn_serial * 3_719 + 54_321) % 10**8:08d}")

    def _date(self) -> str:
        """A GMT timestamp within 2024, as WooCommerce writes *_gmt fields."""
        day, second = divmod(int(self.rng.random() * 365 * 86400), 86400)
        hour, second = divmod(second, 3600)
        return f"{_DAYS[day]}T{hour:02d}:{second // 60:02d}:{second % 60:02d}"

    def _cat_ref(self, cat: CategorySpec) -> dict[str, Any]:
        self.cat_counts[cat.slug] += 1
        return dict(self.cat_refs[cat.slug])

    # -- the rest -------------------------------------------------------------------------------

    def categories(self) -> list[dict[str, Any]]:
        return [
            {
                "id": self.cat_ids[c.slug],
                "name": c.name,
                "slug": c.slug,
                "parent": self.cat_ids[c.parent] if c.parent else 0,
                "description": "",
                "display": "default",
                "image": None,
                "menu_order": i,
                "count": self.cat_counts[c.slug],
            }
            for i, c in enumerate(CATEGORIES)
        ]

    def customer(self, i: int) -> dict[str, Any]:
        rng = self.rng
        first = _pick(rng, FIRST_NAMES)
        last = _pick(rng, LAST_NAMES)
        town, postcode = _pick(rng, TOWNS)
        email = f"{first}.{last}{i + 1}@example.com".lower()
        # 07700 900000-900999 is Ofcom's range reserved for drama: never a real phone.
        phone = f"07700 900{i % 1000:03d}"
        address = {
            "first_name": first,
            "last_name": last,
            "company": "",
            "address_1": f"{rng.randint(1, 200)} High Street",
            "address_2": "",
            "city": town,
            "state": "",
            "postcode": postcode,
            "country": "GB",
        }
        modified = self._date()
        return {
            "id": 2 + i,  # user 1 is the shop's administrator
            "date_created_gmt": modified,
            "date_modified_gmt": modified,
            "email": email,
            "first_name": first,
            "last_name": last,
            "role": "customer",
            "username": email.split("@")[0],
            "billing": {**address, "email": email, "phone": phone},
            "shipping": {**address, "phone": ""},
            "is_paying_customer": rng.random() < 0.6,
            "avatar_url": "",
            "meta_data": [],
        }
