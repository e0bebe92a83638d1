"""The catalog as a till pages through it: all products, one category, or a search."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.models import Category, Product
from kiosk.store import catalog, search
from kiosk.store.db import Database

ALL = "All products"


@dataclass(frozen=True, slots=True)
class Page:
    products: tuple[Product, ...]
    number: int  # from 1
    has_next: bool
    title: str  # what is being browsed: "All products", a category's name, the search

    @property
    def heading(self) -> str:
        """The line under the tiles: where the cashier is, or that nothing matched."""
        if not self.products:
            return f"{self.title}: nothing found"
        return f"{self.title} · page {self.number}"


class CatalogBrowser:
    """Which page of which products the till shows, one `page_size` at a time.

    Contract: every change (category, search, page turn) makes any answer still on its way stale,
    and `page()` returns None for a stale answer, which must not be drawn: a keystroke asks for a
    page, and an earlier keystroke's slower answer must never replace a later one's.
    """

    def __init__(self, db: Database, page_size: int) -> None:
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, not {page_size}")
        self._db, self.page_size = db, page_size
        self.categories: tuple[Category, ...] = ()
        self.category: str | None = None
        self.query = ""
        self.number = 1
        self._asked = 0  # bumped by every change and every request

    async def load(self) -> None:
        """Read the category tabs (again: a sync may have changed them)."""
        self.categories = tuple(await catalog.list_categories(self._db))

    def choose_category(self, category_id: str | None) -> None:
        """A tab: None is all products; the search is cleared."""
        self.category, self.query, self.number = category_id, "", 1
        self._asked += 1

    def search(self, text: str) -> None:
        self.query, self.number = text.strip(), 1
        self._asked += 1

    def turn(self, step: int) -> None:
        self.number = max(1, self.number + step)
        self._asked += 1

    @property
    def title(self) -> str:
        if self.query:
            return f"“{self.query}”"
        if self.category is not None:
            return next((c.name for c in self.categories if c.id == self.category), "")
        return ALL

    async def page(self) -> Page | None:
        """The current page, or None when a change since this call made the answer stale."""
        self._asked += 1
        asked, size = self._asked, self.page_size
        number, title = self.number, self.title
        offset = (number - 1) * size
        # One more than a page tells whether there is a next page without counting them all.
        if self.query:
            found = await search.search(self._db, self.query, limit=size + 1, offset=offset)
        elif self.category is not None:
            found = await catalog.in_category(
                self._db, self.category, limit=size + 1, offset=offset
            )
        else:
            found = await catalog.listed(self._db, limit=size + 1, offset=offset)
        if asked != self._asked:
            return None
        return Page(tuple(found[:size]), number, has_next=len(found) > size, title=title)
