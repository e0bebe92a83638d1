"""The narrow boundary between the sync engine and a store platform (WooCommerce, Shopify).

A connector speaks the platform's API and returns domain objects; the engine decides what to
fetch, when, and what to write locally. Everything here is platform-neutral: ids are the store's
own ids as text, cursors are opaque strings the connector understands.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from kiosk.core.models import (
    Category,
    Customer,
    Order,
    Product,
    ShopSettings,
    StockLevel,
    TaxRate,
)
from kiosk.core.money import Money
from kiosk.core.pickup import PickupOrder, PickupState
from kiosk.core.refunds import Refund

T = TypeVar("T")


class ExportError(ValueError):
    """The file or data is not a catalog export the device can read at all."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """One store object left out, and why (the reason names the field)."""

    kind: str
    id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class CatalogExport:
    """A parsed export; `products` holds products and variations, each parent before its own."""

    settings: ShopSettings
    categories: tuple[Category, ...] = ()
    products: tuple[Product, ...] = ()
    tax_rates: tuple[TaxRate, ...] = ()
    customers: tuple[Customer, ...] = ()
    skipped: tuple[Skipped, ...] = ()


@dataclass(frozen=True, slots=True)
class Batch(Generic[T]):
    """One step of a listing, in order.

    `cursor` resumes the listing just after this batch (None: the listing is finished), so an
    engine that stores it with the batch's rows continues after a crash instead of restarting.
    `total` is how many items the whole listing holds, when the store says (for progress).
    For products: a VARIABLE product is followed in the same batch by ALL its variations, so the
    engine may treat them as the complete set and drop local variations that are not among them.
    """

    items: tuple[T, ...]
    cursor: str | None
    total: int | None = None
    skipped: tuple[Skipped, ...] = ()


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What a successful connection test learned."""

    platform: str
    url: str
    name: str
    currency: str
    can_write: bool  # the keys may create orders
    # Platform settings the test found out (name, value), for provisioning to save in the
    # platform's config section (e.g. how the store's API is reached).
    settings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RemoteOrder:
    """An order as the store holds it."""

    remote_id: str
    order_id: str  # our UUID, read back from the store's copy
    number: str  # the store's order number
    status: str
    total: Money
    # The store's stock after the order, for what it sold (empty if the store did not say).
    stock: tuple[StockLevel, ...] = ()


@dataclass(frozen=True, slots=True)
class RemoteRefund:
    """A refund as the store holds it."""

    remote_id: str
    refund_id: str  # our refund UUID, read back from the store's copy
    amount: Money


class Connector(Protocol):
    """One store. Methods raise kiosk.connectors.errors.ConnectorError subclasses only."""

    platform: str

    async def check(self) -> StoreInfo:
        """Test the connection and the keys; raise the specific error a person can fix."""
        ...

    async def shop_settings(self) -> ShopSettings: ...

    async def tax_rates(self) -> list[TaxRate]: ...

    def categories(self) -> AsyncIterator[Batch[Category]]: ...

    def products(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> AsyncIterator[Batch[Product]]:
        """Sellable-status products (and their variations) changed since `since` (all if None)."""
        ...

    def customers(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> AsyncIterator[Batch[Customer]]: ...

    async def product_ids(self) -> set[str]:
        """Every live product id (not variations): the deletion audit diffs it with ours."""
        ...

    async def fetch_products(self, ids: Sequence[str]) -> Batch[Product]:
        """These products (with variations) as they are now; ids the store lacks are absent."""
        ...

    async def stock_levels(self, ids: Sequence[str]) -> list[StockLevel]:
        """The store's stock for these products or variations."""
        ...

    async def create_order(self, order: Order) -> RemoteOrder:
        """Create `order`, paid, so that the store takes the stock itself.

        Raises Rejected (park it), OutcomeUnknown (look it up with find_order before any
        retry), or a retryable error (nothing was written).
        """
        ...

    async def find_order(self, order: Order, *, attempted_at: datetime) -> RemoteOrder | None:
        """The store's copy of `order` (matched by our UUID), if an earlier attempt created it."""
        ...

    async def create_refund(self, refund: Refund, *, order_remote_id: str) -> RemoteRefund:
        """Record `refund` against the store's order `order_remote_id` (money already returned).

        The store must not move money itself (the device paid it back in cash or at the card
        provider); it raises stock when `refund.restock`. Raises like create_order.
        """
        ...

    async def find_refund(self, refund: Refund, *, order_remote_id: str) -> RemoteRefund | None:
        """The store's copy of `refund` (matched by our refund UUID), if an attempt created it."""
        ...

    async def online_order(self, number: str) -> Order | None:
        """The paid web shop order numbered `number` as an Order, to refund it at the till.

        Its `meta` carries kiosk.core.web_orders' keys (the store's id among them); its id is
        web_order_id(platform, store id), so two fetches give the same order. None when the
        store has no order by that number; Rejected (in words) when it has one not paid.
        """
        ...

    async def pickup_orders(self, *, local_only: bool = True) -> list[PickupOrder]:
        """Web orders waiting for collection here (`local_only`: those the customer chose local
        pickup for; else every paid one not yet fulfilled)."""
        ...

    async def complete_pickup(self, remote_id: str) -> None:
        """Complete the pickup `remote_id` in the store: the customer has collected it.

        Raises Rejected (it cannot be: cancelled, gone), OutcomeUnknown (ask pickup_state before
        any retry), or a retryable error (nothing was written).
        """
        ...

    async def pickup_state(self, remote_id: str) -> PickupState:
        """Where the store says the pickup `remote_id` is now."""
        ...

    async def close(self) -> None: ...


# -- webhooks: hints, never truth ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hint:
    """A webhook's news that something changed in the store: fetch it again soon."""

    kind: str  # "product" or "customer"
    id: str  # for a variation: its parent, which is what the device re-fetches
    deleted: bool


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a platform made of one webhook request: how to answer it, and what it hints."""

    status: int  # 200 taken (or a topic the device ignores), 400 unreadable, 401 not the store's
    hint: Hint | None = None
    key: str = ""  # the delivery's own id, so that a repeat is acted on once ("" if none)
    note: str = ""  # why it was refused, or what it was (a ping), for the log and the answer


class WebhookReader(Protocol):
    """One platform's webhook deliveries: the signature checked, the body read. Never raises."""

    platform: str

    def read(self, headers: Mapping[str, str], content_type: str, body: bytes) -> Delivery: ...
