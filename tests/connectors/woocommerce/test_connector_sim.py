"""WooConnector against the WooCommerce simulator: listings, orders, faults, auth over HTTP/TLS."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kiosk.connectors.base import Batch, Connector
from kiosk.connectors.errors import OutcomeUnknown, RateLimited, Rejected, ServerError
from kiosk.connectors.woocommerce.auth import AuthMode
from kiosk.connectors.woocommerce.connector import WooConnector
from kiosk.core.cart import Cart
from kiosk.core.models import SELLABLE_STATUSES, Order, PaymentMethod, Product, ProductKind
from kiosk.core.money import Money
from kiosk.core.tender import Tender
from kiosk.sim.woocommerce import SimHandle, running_sim


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    async with running_sim(products=250, seed=3) as handle:
        yield handle


def connect(sim: SimHandle, sleeps: Sleeps | None = None, **kw: Any) -> WooConnector:
    return WooConnector.connect(
        sim.url,
        kw.pop("key", sim.consumer_key),
        kw.pop("secret", sim.consumer_secret),
        ca_file=sim.ca_file,
        locale="en_GB",
        sleep=sleeps or Sleeps(),
        jitter=lambda: 0.0,
        **kw,
    )


async def all_products(c: WooConnector, **kw: Any) -> list[Batch[Product]]:
    return [b async for b in c.products(**kw)]


def sellable_catalog(sim: SimHandle) -> dict[int, list[int]]:
    """Top-level sellable product id -> its variation ids, from the simulator's own state."""
    out = {}
    for pid, obj in sim.state.products.items():
        if obj.get("status") not in SELLABLE_STATUSES or obj.get("type") not in (
            "simple",
            "variable",
        ):
            continue
        out[pid] = sorted(
            int(v["id"]) for v in sim.state.variations_of(pid) if v.get("status") == "publish"
        )
    return out


# -- listings ------------------------------------------------------------------------------------


async def test_full_listing_is_the_sims_catalog_in_pages(sim: SimHandle) -> None:
    expected = sellable_catalog(sim)
    async with connect(sim) as c:
        as_protocol: Connector = c  # mypy checks WooConnector against the Protocol
        assert as_protocol.platform == "woocommerce"
        batches = await all_products(c)
        ids = await c.product_ids()
    assert [b.cursor for b in batches] == ["2", "3", None]
    items = [p for b in batches for p in b.items]
    tops = [p for p in items if p.kind is not ProductKind.VARIATION]
    assert [int(p.id) for p in tops] == sorted(expected)
    assert ids == {str(i) for i in expected}
    # Each variable product is followed by exactly its variations.
    for i, p in enumerate(items):
        if p.kind is ProductKind.VARIABLE:
            kids = [int(v.id) for v in items[i + 1 : i + 1 + len(expected[int(p.id)])]]
            assert kids == expected[int(p.id)]
            assert all(v.parent_id == p.id for v in items[i + 1 : i + 1 + len(kids)])
    assert len(items) == len(expected) + sum(len(v) for v in expected.values())
    # Prices travel exactly.
    sample = next(p for p in tops if p.kind is ProductKind.SIMPLE)
    assert sample.price is not None
    assert sample.price.amount_str() == sim.state.products[int(sample.id)]["price"]


async def test_listing_resumes_at_its_cursor_and_delta_uses_modified_after() -> None:
    clock = Clock()
    async with running_sim(products=250, seed=3, clock=clock) as sim:
        async with connect(sim) as c:
            full = await all_products(c)
            resumed = await all_products(c, resume=full[0].cursor)
            assert [b.items for b in resumed] == [b.items for b in full[1:]]
            clock.now += timedelta(hours=1)
            since = clock.now
            clock.now += timedelta(minutes=5)
            changed = next(iter(sellable_catalog(sim)))
            sim.admin.set_price(changed, "12.34")
            delta = await all_products(c, since=since)
        query = sim.requests[-1].query
    items = [p for b in delta for p in b.items]
    assert [p.id for p in items if p.kind is not ProductKind.VARIATION] == [str(changed)]
    assert query["dates_are_gmt"] == "true"
    assert query["modified_after"] == "2025-03-01T10:00:00"


async def test_requests_in_flight_never_exceed_the_bound(sim: SimHandle) -> None:
    async with asyncio.timeout(60), connect(sim, concurrency=3) as c:  # a hang fails, not waits
        live = peak = 0
        full = asyncio.Event()
        exchange = c.client._exchange

        async def counted(*args: Any) -> Any:
            nonlocal live, peak
            live += 1
            peak = max(peak, live)
            if live == 3:
                full.set()
            try:
                # Requests wait here until three are out at once (the shop settings are asked in
                # three), so the bound is surely reached; after that they all go straight on.
                await full.wait()
                return await exchange(*args)
            finally:
                live -= 1

        c.client._exchange = counted  # type: ignore[method-assign]
        await all_products(c)
    assert peak == 3


async def test_fetch_products_and_stock_levels(sim: SimHandle) -> None:
    catalog = sellable_catalog(sim)
    variable = next(pid for pid, kids in catalog.items() if kids)
    simple = next(pid for pid, kids in catalog.items() if not kids)
    sim.admin.set_stock(simple, 7)
    async with connect(sim) as c:
        batch = await c.fetch_products([str(simple), str(variable), "999999"])
        levels = await c.stock_levels([str(simple), str(catalog[variable][0])])
        # A fresh connector has not seen the variation's parent: it still finds it.
        async with connect(sim) as fresh:
            cold = await fresh.stock_levels([str(catalog[variable][0])])
    assert [p.id for p in batch.items][:1] == [str(simple)]
    assert {p.id for p in batch.items} == {str(simple), str(variable)} | {
        str(v) for v in catalog[variable]
    }
    assert levels[0].product_id == str(simple)
    assert levels[0].quantity == 7
    assert levels[0].manage_stock
    assert [lv.product_id for lv in levels] == [str(simple), str(catalog[variable][0])]
    assert cold == levels[1:]


async def test_settings_taxes_categories_customers(sim: SimHandle) -> None:
    async with connect(sim) as c:
        settings = await c.shop_settings()
        rates = await c.tax_rates()
        categories = [x async for b in c.categories() for x in b.items]
        customers = [x async for b in c.customers() for x in b.items]
    assert settings.currency == sim.state.settings["woocommerce_currency"]
    assert settings.locale == "en_GB"
    assert settings.name
    assert len(rates) == len(sim.state.tax_rates)
    assert len(categories) == len(sim.state.categories)
    assert len(customers) == len(sim.state.customers)


# -- orders --------------------------------------------------------------------------------------


async def a_sale(
    c: WooConnector, sim: SimHandle, *, odd: bool = True, card: Tender | None = None
) -> Order:
    """A cash sale of two stocked simple products; `odd` prices one at 0.99 (a rounding fee).
    With `card`, the card pays first and cash the rest."""
    simple = [
        pid
        for pid, kids in sellable_catalog(sim).items()
        if not kids and sim.state.products[pid].get("tax_class") in ("", "standard", None)
    ][:2]
    for pid in simple:
        sim.admin.set_stock(pid, 10)
    if odd:
        sim.admin.set_price(simple[0], "0.99")
    settings, rates = await c.shop_settings(), await c.tax_rates()
    batch = await c.fetch_products([str(p) for p in simple])
    cart = Cart(settings, rates)
    for p in batch.items:
        cart.add(p, 2 if p.id == str(simple[1]) else 1)
    total = cart.totals().total
    tenders = [card, Tender(PaymentMethod.CASH, total - card.amount)] if card else []
    return cart.checkout(
        tenders or [Tender(PaymentMethod.CASH, total)],
        now=datetime.now(UTC),
        cashier="Ann",
        offline=True,
    )


async def test_create_order_lands_with_our_total_meta_and_the_stores_stock(
    sim: SimHandle,
) -> None:
    async with connect(sim) as c:
        order = await a_sale(c, sim)
        remote = await c.create_order(order)
        sold = {ln.product_id: ln.quantity for ln in order.lines}
        levels = await c.stock_levels(list(sold))  # read back for the batch, after the POST
    (kept,) = sim.state.orders.values()
    assert remote.remote_id == str(kept["id"])
    assert remote.order_id == order.id
    assert remote.total == order.total
    assert kept["total"] == order.total.amount_str()
    assert remote.status == "completed"
    assert kept["status"] == "completed"
    assert sim.state.settings["woocommerce_prices_include_tax"] == "yes"
    meta = {m["key"]: m["value"] for m in kept["meta_data"]}
    assert meta["_kiosk_order_id"] == order.id
    assert meta["_kiosk_offline"] == "yes"
    assert [f["name"] for f in kept["fee_lines"]] == ["Rounding"]
    assert remote.stock == ()  # one request per order: the stock is read back in batches
    assert {s.product_id: s.quantity for s in levels} == {
        pid: 10 - qty for pid, qty in sold.items()
    }


async def test_a_card_sale_lands_with_its_payment_intent_and_card_details(
    sim: SimHandle,
) -> None:
    currency = sim.state.option("woocommerce_currency")
    card = Tender(
        PaymentMethod.CARD, Money(100, currency), "pi_3Qsim", "Visa", "4242", "Chip", "654321"
    )
    async with connect(sim) as c:
        await c.create_order(await a_sale(c, sim, card=card))
    (kept,) = sim.state.orders.values()
    # transaction_id is a writable order field in WooCommerce (and what search= finds an order by).
    assert kept["transaction_id"] == "pi_3Qsim"
    assert kept["payment_method"] == "card"
    assert kept["payment_method_title"].startswith("Card (Visa •••• 4242) 1.00 + Cash ")
    meta = {m["key"]: m["value"] for m in kept["meta_data"]}
    paid = json.loads(meta["_kiosk_payments"])
    assert [(p["method"], p["entry_mode"], p["auth_code"]) for p in paid] == [
        ("card", "Chip", "654321"),
        ("cash", "", ""),
    ]


@pytest.mark.parametrize("plugin", [False, True], ids=["core-rest", "plugin"])
async def test_drop_after_commit_is_unknown_then_found_exactly_once(
    sim: SimHandle, plugin: bool
) -> None:
    """Without the plugin the lookup lists recent orders; with it, GET orders/by-uuid."""
    async with connect(sim, plugin=plugin) as c:
        order = await a_sale(c, sim)
        attempted = datetime.now(UTC)
        sim.faults.add("drop_after_commit", method="POST", path="orders")
        with pytest.raises(OutcomeUnknown):
            await c.create_order(order)
        # Another sale in between must not confuse the lookup.
        other = await a_sale(c, sim, odd=False)
        await c.create_order(other)
        found = await c.find_order(order, attempted_at=attempted)
        missing = await c.find_order(await a_sale(c, sim, odd=False), attempted_at=attempted)
    matching = [
        o
        for o in sim.state.orders.values()
        if any(m["key"] == "_kiosk_order_id" and m["value"] == order.id for m in o["meta_data"])
    ]
    assert len(matching) == 1
    assert found is not None
    assert found.order_id == order.id
    assert found.remote_id == str(matching[0]["id"])
    assert found.total == order.total
    assert missing is None


@pytest.mark.parametrize("plugin", [False, True], ids=["core-rest", "plugin"])
async def test_a_timeout_on_post_orders_is_outcome_unknown(sim: SimHandle, plugin: bool) -> None:
    async with connect(sim, timeout=0.3, plugin=plugin) as c:
        order = await a_sale(c, sim)
        sim.faults.add("timeout", method="POST", path="orders")
        with pytest.raises(OutcomeUnknown):
            await c.create_order(order)
    posts = [f for f in sim.faults.fired if f[1] == "POST"]
    route = "/wp-json/kiosk/v1/orders" if plugin else "/wp-json/wc/v3/orders"
    assert posts == [("timeout", "POST", route)]
    assert not sim.state.orders  # never re-sent: a second POST would have created it


async def test_unknown_product_is_rejected_with_the_stores_message(sim: SimHandle) -> None:
    async with connect(sim) as c:
        order = await a_sale(c, sim, odd=False)
        first = replace(order.lines[0], product_id="999999")
        bad = replace(order, lines=(first, *order.lines[1:]))
        with pytest.raises(Rejected) as caught:
            await c.create_order(bad)
    assert caught.value.status == 400
    assert str(caught.value) == "Product ID provided is invalid."  # the store's own words
    assert caught.value.code
    assert not sim.state.orders


# -- faults on reads -----------------------------------------------------------------------------


async def test_a_429_storm_is_waited_out_as_the_store_asks(sim: SimHandle) -> None:
    sleeps = Sleeps()
    sim.faults.add("429", method="GET", path="products", count=3, retry_after=2)
    async with connect(sim, sleeps) as c:
        batches = await all_products(c)
    assert sum(len(b.items) for b in batches) > 250
    assert len(sleeps.delays) == 3
    assert all(d >= 2 for d in sleeps.delays)


async def test_a_429_storm_beyond_the_retries_is_rate_limited(sim: SimHandle) -> None:
    sleeps = Sleeps()
    sim.faults.add("429", path="products", count=50, retry_after=5)
    async with connect(sim, sleeps, max_retries=2, plugin=False) as c:
        with pytest.raises(RateLimited) as caught:
            await c.product_ids()
    assert caught.value.retry_after == 5
    assert len(sleeps.delays) == 2


async def test_5xx_on_reads_is_retried(sim: SimHandle) -> None:
    sleeps = Sleeps()
    sim.faults.add("500", method="GET", path="products", count=2)
    async with connect(sim, sleeps, plugin=False) as c:
        assert len(await c.product_ids()) == len(sellable_catalog(sim))
    assert len(sleeps.delays) == 2
    sim.faults.add("500", method="GET", path="products", count=10)
    async with connect(sim, sleeps, read_retries=1, plugin=False) as c:
        with pytest.raises(ServerError):
            await c.product_ids()


# -- auth over TLS and HTTP ----------------------------------------------------------------------


@pytest.mark.parametrize("query_auth", [False, True])
async def test_basic_and_query_keys_over_tls_with_a_private_ca(query_auth: bool) -> None:
    async with running_sim(products=5, tls=True) as sim:
        assert sim.url.startswith("https://")
        assert sim.ca_file is not None
        async with connect(sim, query_auth=query_auth) as c:
            assert c.client.mode is (AuthMode.QUERY if query_auth else AuthMode.BASIC)
            info = await c.check()
            assert len(await c.product_ids()) == len(sellable_catalog(sim))
        queries = [r.query for r in sim.requests if r.path.endswith(("/products", "/product-ids"))]
    assert info.can_write
    assert info.url == sim.url
    assert queries
    assert all(("consumer_key" in q) is query_auth for q in queries)


async def test_oauth_over_plain_http(sim: SimHandle) -> None:
    async with connect(sim) as c:
        assert c.client.mode is AuthMode.OAUTH
        await c.product_ids()
    query = next(r for r in sim.requests if r.path.endswith(("/products", "/product-ids"))).query
    assert query["oauth_signature_method"] == "HMAC-SHA1"
    assert "consumer_secret" not in query
