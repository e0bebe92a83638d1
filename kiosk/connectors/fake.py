"""An in-memory store behind the Connector Protocol, for the sync engine's unit tests.

It keeps a catalog, customers and orders in dicts, pages listings with resumable cursors, takes
stock on create_order like a real store, and can be told to fail: `fail(method, error)` makes the
next call of `method` raise `error`; for create_order, `commit=True` stores the order first (the
store committed, the answer was lost), which is how OutcomeUnknown happens in real life.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypeVar

from kiosk.connectors.base import Batch, Connector, RemoteOrder, RemoteRefund, StoreInfo
from kiosk.connectors.errors import ConnectorError, NotFound, PermissionDenied, Rejected
from kiosk.core.models import (
    Category,
    Customer,
    Order,
    Product,
    ProductKind,
    ShopSettings,
    StockLevel,
    StockStatus,
    TaxRate,
)
from kiosk.core.money import Money
from kiosk.core.pickup import PickupOrder, PickupState
from kiosk.core.refunds import Refund

T = TypeVar("T")


@dataclass
class _Fault:
    error: ConnectorError
    commit: bool = False


@dataclass
class FakeOrder:
    """An order as the fake store keeps it."""

    remote_id: str
    order: Order
    number: str
    created_at: datetime
    status: str = "completed"


@dataclass
class FakeConnector:
    """A Connector over in-memory data. Mutate the fields (or use the helpers) between calls."""

    settings: ShopSettings = field(default_factory=lambda: ShopSettings(currency="EUR"))
    products_by_id: dict[str, Product] = field(default_factory=dict)
    categories_list: list[Category] = field(default_factory=list)
    customers_list: list[Customer] = field(default_factory=list)
    rates: list[TaxRate] = field(default_factory=list)
    page_size: int = 2
    url: str = "https://fake.example"
    name: str = "Fake shop"
    can_write: bool = True
    platform: str = "fake"
    orders: dict[str, FakeOrder] = field(default_factory=dict)  # by our order id (the first)
    created: list[FakeOrder] = field(default_factory=list)  # every create, duplicates included
    refunds: dict[str, RemoteRefund] = field(default_factory=dict)  # by our refund id (the first)
    refunds_created: list[RemoteRefund] = field(default_factory=list)  # duplicates included
    calls: list[str] = field(default_factory=list)  # method names, in call order
    # Pickups waiting in the store by remote id, and each completion that happened, in order.
    pickups: dict[str, PickupOrder] = field(default_factory=dict)
    pickup_states: dict[str, PickupState] = field(default_factory=dict)
    pickups_completed: list[str] = field(default_factory=list)
    local_pickup: set[str] = field(default_factory=set)  # remote ids chosen for local pickup
    web_orders: dict[str, Order] = field(default_factory=dict)  # paid web orders by number
    clock: datetime | None = None  # "now" for created orders (default: the real clock)
    closed: bool = False
    _faults: dict[str, deque[_Fault]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1001))

    # -- test knobs -----------------------------------------------------------------------------

    def add_products(self, products: Iterable[Product]) -> None:
        for p in products:
            self.products_by_id[p.id] = p

    def fail(
        self, method: str, error: ConnectorError, *, commit: bool = False, times: int = 1
    ) -> None:
        """Make the next `times` calls of `method` raise `error`.

        For create_order (and complete_pickup) with `commit=True` the write happens first.
        """
        if not hasattr(self, method):
            raise AttributeError(f"FakeConnector has no method {method!r}")
        for _ in range(times):
            self._faults.setdefault(method, deque()).append(_Fault(error, commit))

    def clear_faults(self) -> None:
        """Forget every fault still to happen."""
        self._faults.clear()

    def _enter(self, method: str) -> _Fault | None:
        self.calls.append(method)
        queue = self._faults.get(method)
        return queue.popleft() if queue else None

    def _check(self, method: str) -> None:
        fault = self._enter(method)
        if fault is not None:
            raise fault.error

    # -- Connector ------------------------------------------------------------------------------

    async def check(self) -> StoreInfo:
        self._check("check")
        return StoreInfo(self.platform, self.url, self.name, self.settings.currency, self.can_write)

    async def shop_settings(self) -> ShopSettings:
        self._check("shop_settings")
        return self.settings

    async def tax_rates(self) -> list[TaxRate]:
        self._check("tax_rates")
        return list(self.rates)

    def _paged(self, items: Sequence[T], resume: str | None) -> Iterable[Batch[T]]:
        start = int(resume) if resume else 0
        if start >= len(items):
            yield Batch((), None, len(items))
            return
        for at in range(start, len(items), self.page_size):
            end = at + self.page_size
            yield Batch(tuple(items[at:end]), str(end) if end < len(items) else None, len(items))

    async def categories(self) -> AsyncIterator[Batch[Category]]:
        self._check("categories")
        for b in self._paged(self.categories_list, None):
            yield b

    def _groups(self, since: datetime | None) -> list[list[Product]]:
        """Top-level products (changed since `since`), each variable one with its variations."""
        kids: dict[str, list[Product]] = {}
        for p in self.products_by_id.values():
            if p.kind is ProductKind.VARIATION and p.parent_id is not None:
                kids.setdefault(p.parent_id, []).append(p)
        groups = []
        for p in sorted(self.products_by_id.values(), key=lambda p: _id_key(p.id)):
            if p.kind is ProductKind.VARIATION or p.status not in ("publish", "private"):
                continue
            family = [p, *sorted(kids.get(p.id, []), key=lambda v: _id_key(v.id))]
            changed = [q.modified_at for q in family if q.modified_at is not None]
            if since is not None and changed and max(changed) < since:
                continue
            groups.append(family)
        return groups

    async def products(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> AsyncIterator[Batch[Product]]:
        self._check("products")
        groups = self._groups(since)
        # A page holds `page_size` top-level products, and a variable one all its variations.
        for b in self._paged(groups, resume):
            yield Batch(tuple(p for g in b.items for p in g), b.cursor, b.total)

    async def customers(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> AsyncIterator[Batch[Customer]]:
        self._check("customers")
        found = [
            c
            for c in self.customers_list
            if since is None or c.modified_at is None or c.modified_at >= since
        ]
        for b in self._paged(found, resume):
            yield b

    async def product_ids(self) -> set[str]:
        self._check("product_ids")
        return {g[0].id for g in self._groups(None)}

    async def fetch_products(self, ids: Sequence[str]) -> Batch[Product]:
        self._check("fetch_products")
        wanted = set(ids)
        items = tuple(p for g in self._groups(None) if g[0].id in wanted for p in g)
        return Batch(items, None, len(items))

    def _level(self, p: Product) -> StockLevel:
        return StockLevel(p.id, p.manage_stock, p.stock_quantity, p.stock_status)

    async def stock_levels(self, ids: Sequence[str]) -> list[StockLevel]:
        self._check("stock_levels")
        return [self._level(self.products_by_id[i]) for i in ids if i in self.products_by_id]

    def _remote(self, kept: FakeOrder, stock: tuple[StockLevel, ...] = ()) -> RemoteOrder:
        return RemoteOrder(
            remote_id=kept.remote_id,
            order_id=kept.order.id,
            number=kept.number,
            status=kept.status,
            total=kept.order.total,
            stock=stock,
        )

    async def create_order(self, order: Order) -> RemoteOrder:
        fault = self._enter("create_order")
        if fault is not None and not fault.commit:
            raise fault.error
        if not self.can_write:
            raise PermissionDenied("the API keys are read-only: they cannot create orders")
        for line in order.lines:
            if (line.variation_id or line.product_id) not in self.products_by_id:
                raise Rejected(
                    f"Invalid product ID {line.variation_id or line.product_id}.",
                    status=400,
                    code="woocommerce_rest_invalid_product_id",
                )
        # Like a real store: no idempotency, so a second create is a second order.
        remote_id = str(next(self._ids))
        kept = FakeOrder(remote_id, order, remote_id, self.clock or datetime.now(UTC))
        self.orders.setdefault(order.id, kept)
        self.created.append(kept)
        sold = self._take_stock(order)
        if fault is not None:
            raise fault.error
        return self._remote(kept, tuple(self._level(self.products_by_id[i]) for i in sold))

    def _take_stock(self, order: Order) -> list[str]:
        sold = []
        for line in order.lines:
            pid = line.variation_id or line.product_id
            p = self.products_by_id[pid]
            sold.append(pid)
            if p.manage_stock and p.stock_quantity is not None:
                left = p.stock_quantity - line.quantity
                status = StockStatus.IN_STOCK if left > 0 else StockStatus.OUT_OF_STOCK
                self.products_by_id[pid] = replace(p, stock_quantity=left, stock_status=status)
        return sold

    async def find_order(self, order: Order, *, attempted_at: datetime) -> RemoteOrder | None:
        self._check("find_order")
        kept = self.orders.get(order.id)
        return self._remote(kept) if kept is not None else None

    async def create_refund(self, refund: Refund, *, order_remote_id: str) -> RemoteRefund:
        fault = self._enter("create_refund")
        if fault is not None and not fault.commit:
            raise fault.error
        if not any(kept.remote_id == order_remote_id for kept in self.orders.values()):
            raise Rejected("Invalid order ID.", status=404, code="invalid_order_id")
        # No idempotency here either: a second create is a second refund.
        kept = RemoteRefund(str(next(self._ids)), refund.id, refund.amount)
        self.refunds.setdefault(refund.id, kept)
        self.refunds_created.append(kept)
        if fault is not None:
            raise fault.error
        return kept

    async def find_refund(self, refund: Refund, *, order_remote_id: str) -> RemoteRefund | None:
        self._check("find_refund")
        return self.refunds.get(refund.id)

    async def online_order(self, number: str) -> Order | None:
        self._check("online_order")
        return self.web_orders.get(number.strip().lstrip("#"))

    async def pickup_orders(self, *, local_only: bool = True) -> list[PickupOrder]:
        self._check("pickup_orders")
        return [
            p
            for rid, p in self.pickups.items()
            if self.pickup_states.get(rid, PickupState.WAITING) is PickupState.WAITING
            and (not local_only or rid in self.local_pickup)
        ]

    async def complete_pickup(self, remote_id: str) -> None:
        fault = self._enter("complete_pickup")
        if fault is not None and not fault.commit:
            raise fault.error
        state = self.pickup_states.get(remote_id, PickupState.WAITING)
        if remote_id not in self.pickups or state is PickupState.GONE:
            raise Rejected(f"order {remote_id} was cancelled", status=400, code="cancelled")
        if state is PickupState.WAITING:  # completing a completed one changes nothing
            self.pickup_states[remote_id] = PickupState.COLLECTED
            self.pickups_completed.append(remote_id)
        if fault is not None:
            raise fault.error

    async def pickup_state(self, remote_id: str) -> PickupState:
        self._check("pickup_state")
        if remote_id not in self.pickups:
            return PickupState.GONE
        return self.pickup_states.get(remote_id, PickupState.WAITING)

    async def close(self) -> None:
        self.calls.append("close")
        self.closed = True

    # -- helpers for tests ----------------------------------------------------------------------

    def order_total(self, order_id: str) -> Money:
        kept = self.orders.get(order_id)
        if kept is None:
            raise NotFound(f"no order {order_id}")
        return kept.order.total


def _id_key(pid: str) -> tuple[int, str]:
    return (int(pid), "") if pid.isdigit() else (1 << 62, pid)


def _conforms(connector: FakeConnector) -> Connector:
    return connector  # mypy proves FakeConnector implements the Protocol


__all__ = ["FakeConnector", "FakeOrder"]
