"""The sale path shared by the touchscreen and `kiosk sale`: cart in, durable order out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from kiosk.core import barcodes
from kiosk.core.barcodes import DEFAULT_LAYOUTS, VariableLayout
from kiosk.core.cart import Cart, CartError
from kiosk.core.models import Order, Product, ShopSettings, TaxRate
from kiosk.core.money import Money
from kiosk.core.tender import Tender
from kiosk.store import catalog, orders
from kiosk.store.db import Database


class UnknownCode(LookupError):
    """A scanned or typed code matches no product; the cart is left as it was."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no product has the barcode or SKU {code!r}")
        self.code = code


class BadScan(UnknownCode):
    """A numeric code failed its check digit (or a price code its price's): the scanner
    misread it, so the cashier must scan again; no product is guessed."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.args = (f"{barcodes.RESCAN} ({code})",)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan sells: the product, and the price or weight a variable-measure code carries
    (both None for an ordinary code: the catalog price applies)."""

    product: Product
    price: Money | None = None
    weight_g: int | None = None


class NotReady(RuntimeError):
    """The device has no catalog settings yet (never synced, nothing imported)."""


@dataclass(frozen=True, slots=True)
class Pricing:
    """What a new cart needs from the store: its settings and tax rates."""

    settings: ShopSettings
    tax_rates: tuple[TaxRate, ...]


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Checkout:
    """Starts carts, resolves codes, and commits paid carts as orders in one transaction."""

    def __init__(
        self,
        db: Database,
        *,
        order_prefix: str,
        cashier: str = "",
        fallback: ShopSettings | None = None,
        clock: Clock = utc_now,
        variable_layouts: Sequence[VariableLayout] = DEFAULT_LAYOUTS,
    ) -> None:
        self._db = db
        self._layouts = tuple(variable_layouts)
        self._prefix = order_prefix
        self._cashier = cashier
        self._fallback = fallback
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

    @property
    def cashier(self) -> str:
        """Who sells now: recorded on every order (the signed-in staff member's name)."""
        return self._cashier

    @cashier.setter
    def cashier(self, name: str) -> None:
        self._cashier = name

    async def pricing(self) -> Pricing:
        settings = await catalog.load_shop_settings(self._db) or self._fallback
        if settings is None:
            raise NotReady(
                "this device has no shop settings yet: connect a store or import a catalog"
            )
        rates = tuple(await catalog.tax_rates(self._db))
        return Pricing(settings, rates)

    async def start(self) -> Cart:
        """A new cart, with its order id (the idempotency key) minted now."""
        p = await self.pricing()
        return Cart(p.settings, p.tax_rates)

    async def lookup_scan(self, code: str) -> ScanResult:
        """What a scanned or typed code sells.

        The code's barcode forms (EAN-13, UPC-A, UPC-E, GTIN-14) and then its SKU name the
        product at its catalog price; failing that, a GS1 variable-measure code names its item
        (by the zeroed code or the item code) with the price or weight it carries. Raises
        BadScan for a numeric code whose check digit is wrong (unless a product has that exact
        code) or a known item's variable-measure code whose price check digit is; UnknownCode
        when nothing matches.
        """
        scanned = barcodes.scan(code)
        if not scanned.text:
            raise UnknownCode(scanned.text)
        product = await catalog.find_by_code(self._db, scanned.text)
        if product is not None:
            return ScanResult(product)
        if scanned.misread:
            raise BadScan(scanned.text)
        layout = barcodes.find_layout(scanned.text, self._layouts)
        if layout is None:
            raise UnknownCode(scanned.text)
        # The item first: a code nobody sells is unknown, whatever its price digits say.
        item_code, zeroed = barcodes.variable_item(scanned.text, layout)
        product = await catalog.find_by_code(self._db, zeroed, also=(item_code,))
        if product is None:
            raise UnknownCode(scanned.text)
        currency = (await self.pricing()).settings.currency
        try:
            measure = barcodes.decode_variable(scanned.text, layout, currency)
        except barcodes.VariableCodeError:
            raise BadScan(scanned.text) from None
        return ScanResult(product, measure.price, measure.weight_g)

    async def add_code(self, cart: Cart, code: str, quantity: int = 1) -> Product:
        """Add the product a code names (a variable-measure label at its own price or weight,
        one at a time); raises as lookup_scan does, leaving the cart as it was."""
        found = await self.lookup_scan(code)
        if found.price is None and found.weight_g is None:
            cart.add(found.product, quantity)
        elif quantity != 1:
            raise CartError(
                f"{found.product.name!r} is sold by its label, one at a time: scan or enter "
                "each label on its own"
            )
        else:
            cart.add(found.product, unit_price=found.price, weight_g=found.weight_g)
        return found.product

    async def complete(
        self, cart: Cart, tenders: Sequence[Tender], *, offline: bool = False
    ) -> Order:
        """Settle `cart` and commit it durably; committing the same cart twice sells it once."""
        order = cart.checkout(tenders, now=self._clock(), cashier=self._cashier, offline=offline)
        return await orders.commit_sale(self._db, order, prefix=self._prefix)
