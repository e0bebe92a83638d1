"""What the sheets need from the screen that opens them, so that they need not import it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kiosk.core.models import Product
    from kiosk.counter.browser import CatalogBrowser
    from kiosk.counter.outcome import Outcome
    from kiosk.counter.session import SaleSession
    from kiosk.ui.services import ScreenServices, Spawn
    from kiosk.ui.theme import Theme


class SaleView(Protocol):
    @property
    def th(self) -> Theme: ...
    @property
    def services(self) -> ScreenServices: ...
    @property
    def session(self) -> SaleSession: ...
    @property
    def browser(self) -> CatalogBrowser: ...
    @property
    def spawn(self) -> Spawn: ...

    def say(self, text: str, *, warn: bool = False) -> None: ...

    def tell(self, outcome: Outcome) -> None: ...

    def add(self, product: Product) -> None: ...

    def set_query(self, text: str) -> None: ...

    def price(self, p: Product) -> str: ...

    async def refresh_parked(self) -> None: ...
