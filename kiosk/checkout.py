"""The sale path shared by the touchscreen and `kiosk sale`: cart in, durable order out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from kiosk.core.cart import Cart
from kiosk.core.models import Order, Product, ShopSettings, TaxRate
from kiosk.core.tender import Tender
from kiosk.store import catalog, orders
from kiosk.store.db import Database


class UnknownCode(LookupError):
    """A scanned or typed code matches no product; the cart is left as it was."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no product has the barcode or SKU {code!r}")
        self.code = code


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
    ) -> None:
        self._db = db
        self._prefix = order_prefix
        self._cashier = cashier
        self._fallback = fallback
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

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

    async def lookup(self, code: str) -> Product:
        code = code.strip()
        product = await catalog.find_by_code(self._db, code) if code else None
        if product is None:
            raise UnknownCode(code)
        return product

    async def add_code(self, cart: Cart, code: str, quantity: int = 1) -> Product:
        product = await self.lookup(code)
        cart.add(product, quantity)
        return product

    async def complete(
        self, cart: Cart, tenders: Sequence[Tender], *, offline: bool = False
    ) -> Order:
        """Settle `cart` and commit it durably; committing the same cart twice sells it once."""
        order = cart.checkout(tenders, now=self._clock(), cashier=self._cashier, offline=offline)
        return await orders.commit_sale(self._db, order, prefix=self._prefix)
