"""The domain's value objects: catalog, stock, customers, tax, card results, the completed order.

Ids are the store's own ids as text ("123" on WooCommerce, "gid://shopify/Product/1" on Shopify);
the order id is the UUID the device mints when the cart starts. Timestamps are aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from kiosk.core.money import Money


class ProductKind(StrEnum):
    """SIMPLE and VARIATION are sold; a VARIABLE product only groups its variations."""

    SIMPLE = "simple"
    VARIABLE = "variable"
    VARIATION = "variation"


class StockStatus(StrEnum):
    IN_STOCK = "instock"
    OUT_OF_STOCK = "outofstock"
    ON_BACKORDER = "onbackorder"


class TaxStatus(StrEnum):
    TAXABLE = "taxable"
    SHIPPING = "shipping"  # taxed on shipping only: the item itself is not taxed
    NONE = "none"


# Catalog statuses a counter may sell. Drafts and trashed products never reach the till.
SELLABLE_STATUSES = frozenset({"publish", "private"})


@dataclass(frozen=True, slots=True)
class Attribute:
    """A product attribute: a variable product lists its options, a variation has exactly one."""

    name: str
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name: str
    parent_id: str | None = None
    slug: str = ""
    position: int = 0


@dataclass(frozen=True, slots=True)
class Product:
    """A product or a variation (kind VARIATION, parent_id set), as the device sells it."""

    id: str
    kind: ProductKind
    name: str
    price: Money | None  # None: the store has no price, so it cannot be sold
    sku: str = ""
    barcode: str = ""  # GTIN/UPC/EAN/ISBN
    parent_id: str | None = None
    regular_price: Money | None = None
    tax_status: TaxStatus = TaxStatus.TAXABLE
    tax_class: str = ""  # "" is the store's standard class
    manage_stock: bool = False
    stock_quantity: int | None = None
    stock_status: StockStatus = StockStatus.IN_STOCK
    status: str = "publish"
    attributes: tuple[Attribute, ...] = ()
    category_ids: tuple[str, ...] = ()
    image_url: str = ""
    modified_at: datetime | None = None

    @property
    def sellable(self) -> bool:
        return (
            self.kind is not ProductKind.VARIABLE
            and self.price is not None
            and self.status in SELLABLE_STATUSES
        )

    @property
    def taxable(self) -> bool:
        return self.tax_status is TaxStatus.TAXABLE


@dataclass(frozen=True, slots=True)
class StockLevel:
    """The store's own stock number for one product or variation."""

    product_id: str
    manage_stock: bool
    quantity: int | None
    status: StockStatus


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    company: str = ""
    modified_at: datetime | None = None

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.company or self.email or self.phone or f"Customer {self.id}"


@dataclass(frozen=True, slots=True)
class TaxRate:
    """One rate row as the store defines it. `rate` is a percentage (Decimal("20.0000") is 20 %)."""

    id: str
    rate: Decimal
    name: str = "Tax"
    tax_class: str = ""
    priority: int = 1
    compound: bool = False
    shipping: bool = True
    country: str = ""  # "" matches any
    state: str = ""
    postcodes: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    order: int = 0


@dataclass(frozen=True, slots=True)
class ShopSettings:
    """The store settings that decide what a sale costs and how it reads."""

    currency: str
    prices_include_tax: bool = False
    round_at_subtotal: bool = False  # WooCommerce "Round tax at subtotal level"
    taxes_enabled: bool = True
    country: str = ""  # the shop's base location, which picks the tax rates at the counter
    state: str = ""
    postcode: str = ""
    city: str = ""
    locale: str = "en_US"
    name: str = ""
    # Whose tax arithmetic prices a sale (kiosk.core.tax.POLICIES): the connector names its own.
    tax_policy: str = "woocommerce"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Payment:
    """One tender applied to an order. `amount` counts towards the total; cash may add change."""

    method: PaymentMethod
    amount: Money
    tendered: Money  # what was handed over (cash) or charged (card)
    change: Money
    reference: str = ""  # e.g. the Stripe PaymentIntent id
    card_brand: str = ""
    card_last4: str = ""
    entry_mode: str = ""  # how the card was read, as CardResult says it ("Contactless")
    auth_code: str = ""  # the issuer's authorisation code, printed for disputes


@dataclass(frozen=True, slots=True)
class CardResult:
    """The outcome of one charge. Only `approved` moves money; `message` says why not."""

    approved: bool
    amount: Money
    reference: str = ""  # e.g. the Stripe PaymentIntent id
    card_brand: str = ""
    card_last4: str = ""
    message: str = ""  # a decline reason, for people
    entry_mode: str = ""  # how the card was read, for the receipt: "Contactless", "Chip"
    auth_code: str = ""  # the issuer's authorisation code, for the receipt
    code: str = ""  # why not approved, as a code the screens pick by ("insufficient_funds")


@dataclass(frozen=True, slots=True)
class LineTax:
    """Tax of one rate on one line: before (subtotal) and after (total) discounts."""

    rate_id: str
    subtotal: Money
    total: Money


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A sold line, in the store's terms: subtotal before discounts, total after, both ex tax."""

    line_no: int
    product_id: str  # the product; for a variation, its parent
    variation_id: str | None
    name: str
    sku: str
    quantity: int
    unit_price: Money  # as the shop lists it (with or without tax per ShopSettings)
    subtotal: Money
    subtotal_tax: Money
    total: Money
    total_tax: Money
    discount: Money  # subtotal - total: line and cart discounts together, ex tax
    taxes: tuple[LineTax, ...] = ()
    tax_class: str = ""
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True, slots=True)
class TaxLine:
    """An order-level tax total for one rate."""

    rate_id: str
    label: str
    rate: Decimal
    compound: bool
    amount: Money


@dataclass(frozen=True, slots=True)
class Order:
    """A completed sale, ready to commit. The store assigns `number` in the commit transaction.

    Invariants (the cart guarantees them): total == sum(line.total) + tax_total;
    tax_total == sum(tax_lines.amount); sum(payment.amount) == total.
    """

    id: str
    created_at: datetime
    currency: str
    lines: tuple[OrderLine, ...]
    tax_lines: tuple[TaxLine, ...]
    subtotal: Money  # sum of line subtotals, ex tax, before discounts
    discount_total: Money  # ex tax
    discount_tax: Money
    tax_total: Money
    total: Money
    payments: tuple[Payment, ...]
    prices_include_tax: bool
    round_at_subtotal: bool
    number: str = ""
    customer_id: str | None = None
    cashier: str = ""
    offline: bool = False  # sold while the device had no connection to the store
    note: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def change(self) -> Money:
        result = Money.zero(self.currency)
        for p in self.payments:
            result = result + p.change
        return result
