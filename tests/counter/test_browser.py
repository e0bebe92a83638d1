"""CatalogBrowser on a real database: pages, categories, search, and stale answers dropped."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kiosk.core.models import Category, Product
from kiosk.counter.browser import CatalogBrowser
from kiosk.store import catalog, search
from kiosk.store.db import Database
from tests.store.factory import simple

TEAS = Category("c1", "Teas", position=1)
MUGS = Category("c2", "Mugs", position=2)
# Seven products, by name: Assam, Blue mug, Ceylon, Darjeeling, Earl Grey, Green mug, Hojicha.
PRODUCTS = [
    simple("1", "Assam", category_ids=("c1",)),
    simple("2", "Blue mug", category_ids=("c2",)),
    simple("3", "Ceylon", category_ids=("c1",)),
    simple("4", "Darjeeling", category_ids=("c1",)),
    simple("5", "Earl Grey", category_ids=("c1",)),
    simple("6", "Green mug", category_ids=("c2",)),
    simple("7", "Hojicha", category_ids=("c1",)),
]


@pytest.fixture
async def browser(db: Database) -> CatalogBrowser:
    await catalog.upsert_categories(db, [TEAS, MUGS])
    await catalog.upsert_products(db, PRODUCTS)
    b = CatalogBrowser(db, page_size=3)
    await b.load()
    return b


def names(products: tuple[Product, ...]) -> list[str]:
    return [p.name for p in products]


async def test_all_products_a_page_at_a_time(browser: CatalogBrowser) -> None:
    assert [c.name for c in browser.categories] == ["Teas", "Mugs"]
    first = await browser.page()
    assert first is not None
    assert (names(first.products), first.number, first.has_next) == (
        ["Assam", "Blue mug", "Ceylon"],
        1,
        True,
    )
    assert first.heading == "All products · page 1"
    browser.turn(1)
    browser.turn(1)
    last = await browser.page()
    assert last is not None
    assert (names(last.products), last.number, last.has_next) == (["Hojicha"], 3, False)
    for _ in range(5):
        browser.turn(-1)  # never before the first page
    again = await browser.page()
    assert again is not None
    assert again.number == 1


async def test_a_category_then_a_search_each_start_at_page_one(browser: CatalogBrowser) -> None:
    browser.turn(1)
    browser.choose_category("c2")
    mugs = await browser.page()
    assert mugs is not None
    assert (names(mugs.products), mugs.number, mugs.title) == (["Blue mug", "Green mug"], 1, "Mugs")
    browser.search("  mug ")
    found = await browser.page()
    assert found is not None
    assert (browser.query, found.title, names(found.products)) == (
        "mug",
        "“mug”",
        ["Blue mug", "Green mug"],
    )
    browser.search("rooibos")
    nothing = await browser.page()
    assert nothing is not None
    assert nothing.products == ()
    assert nothing.heading == "“rooibos”: nothing found"
    browser.choose_category(None)  # the All tab clears the search
    everything = await browser.page()
    assert browser.query == ""
    assert everything is not None
    assert everything.title == "All products"


async def test_an_answer_overtaken_by_a_later_keystroke_is_dropped(
    browser: CatalogBrowser, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = search.search
    asked, release = asyncio.Event(), asyncio.Event()

    async def held(db: Database, text: str, **kw: Any) -> list[Product]:
        if text == "gr":  # the first keystroke's query answers only after the second's
            asked.set()
            await release.wait()
        return await real(db, text, **kw)

    monkeypatch.setattr(search, "search", held)
    browser.search("gr")
    slow = asyncio.create_task(browser.page())
    await asked.wait()
    browser.search("gree")
    newest = await browser.page()
    release.set()
    assert await slow is None  # stale: never drawn over the newer page
    assert newest is not None
    assert names(newest.products) == ["Green mug"]


async def test_a_change_without_a_new_request_still_makes_the_answer_stale(
    browser: CatalogBrowser, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = catalog.listed
    asked, release = asyncio.Event(), asyncio.Event()

    async def held(db: Database, **kw: Any) -> list[Product]:
        asked.set()
        await release.wait()
        return await real(db, **kw)

    monkeypatch.setattr(catalog, "listed", held)
    pending = asyncio.create_task(browser.page())
    await asked.wait()
    browser.turn(1)  # the page it answers for is no longer the one shown
    release.set()
    assert await pending is None


def test_a_page_holds_at_least_one_product(db: Database) -> None:
    with pytest.raises(ValueError, match="page_size"):
        CatalogBrowser(db, page_size=0)
