"""Shared pieces for the WooCommerce simulator tests: a settable clock, small exports, a client."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from kiosk.sim.woocommerce import SimHandle, running_sim, sign_oauth


class Clock:
    """A store clock that tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


RATES = [
    {"id": 1, "country": "GB", "state": "", "postcode": "", "city": "", "postcodes": [],
     "cities": [], "rate": "20.0000", "name": "VAT", "priority": 1, "compound": False,
     "shipping": True, "order": 0, "class": "standard"},
    {"id": 2, "country": "GB", "state": "", "postcode": "", "city": "", "postcodes": [],
     "cities": [], "rate": "5.0000", "name": "VAT (5%)", "priority": 1, "compound": False,
     "shipping": False, "order": 1, "class": "reduced-rate"},
]  # fmt: skip


def product(pid: int, price: str, **extra: Any) -> dict[str, Any]:
    base = {
        "id": pid, "name": f"Product {pid}", "type": "simple", "status": "publish",
        "sku": f"SKU-{pid}", "price": price, "regular_price": price, "tax_status": "taxable",
        "tax_class": "", "manage_stock": True, "stock_quantity": 10, "stock_status": "instock",
        "date_created_gmt": "2024-06-01T10:00:00", "date_modified_gmt": "2024-06-01T10:00:00",
    }  # fmt: skip
    return {**base, **extra}


def small_export(*, include_tax: bool = True, round_at_subtotal: bool = False) -> dict[str, Any]:
    """A GB shop with a few hand-priced products, a variable one and 20 % / 5 % VAT."""
    return copy.deepcopy(
        {
            "format": "kiosk.catalog/1",
            "platform": "woocommerce",
            "shop": {"name": "Test Shop", "locale": "en_GB"},
            "settings": {
                "woocommerce_default_country": "GB",
                "woocommerce_store_city": "Bristol",
                "woocommerce_store_postcode": "BS1 5TX",
                "woocommerce_currency": "GBP",
                "woocommerce_price_num_decimals": "2",
                "woocommerce_calc_taxes": "yes",
                "woocommerce_prices_include_tax": "yes" if include_tax else "no",
                "woocommerce_tax_based_on": "base",
                "woocommerce_tax_round_at_subtotal": "yes" if round_at_subtotal else "no",
            },
            "categories": [],
            "products": [
                product(101, "7.99"),
                product(102, "0.99"),
                product(103, "4.20", tax_class="reduced-rate"),
                product(104, "3.00", status="draft"),
                product(105, "2.50", status="private", manage_stock=False, stock_quantity=None),
                product(
                    110,
                    "",
                    type="variable",
                    manage_stock=True,
                    stock_quantity=7,
                    variations=[111, 112],
                ),
            ],
            "variations": {
                "110": [
                    product(111, "12.00", manage_stock="parent", stock_quantity=7),
                    product(112, "14.00", manage_stock=True, stock_quantity=3),
                ]
            },
            "tax_rates": RATES,
            "customers": [],
        }
    )


async def _body(resp: aiohttp.ClientResponse) -> Any:
    """JSON when the store answered JSON, else the text (hosts answer faults in HTML)."""
    if resp.content_type == "application/json":
        return await resp.json()
    return await resp.text()


@dataclass
class Woo:
    """A plain aiohttp client that signs like a WooCommerce client over HTTP (OAuth 1.0a)."""

    sim: SimHandle
    session: aiohttp.ClientSession

    def url(self, method: str, path: str, key: str | None = None, secret: str | None = None) -> str:
        return sign_oauth(
            method,
            f"{self.sim.api_url}/{path}",
            key or self.sim.consumer_key,
            secret or self.sim.consumer_secret,
        )

    async def get(self, path: str) -> tuple[int, Any, Mapping[str, str]]:
        async with self.session.get(self.url("GET", path)) as resp:
            return resp.status, await _body(resp), resp.headers

    async def post(self, path: str, body: Any) -> tuple[int, Any]:
        async with self.session.post(self.url("POST", path), json=body) as resp:
            return resp.status, await _body(resp)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 3, 10, 12, 0, tzinfo=UTC))


@pytest.fixture
async def sim(clock: Clock) -> AsyncIterator[SimHandle]:
    async with running_sim(export=small_export(), clock=clock) as handle:
        yield handle


@pytest.fixture
async def woo(sim: SimHandle) -> AsyncIterator[Woo]:
    async with aiohttp.ClientSession() as session:
        yield Woo(sim, session)
