"""What the screens need from the app, as a Protocol: screens import this, never the app.

The app (kiosk.ui.app.PosApp) implements it; a screen gets it in its constructor.
"""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from kiosk.core.models import Order
    from kiosk.counter.browser import CatalogBrowser
    from kiosk.counter.orders_desk import OrdersDesk
    from kiosk.counter.pickup_desk import PickupDesk
    from kiosk.counter.reset_desk import ResetDesk
    from kiosk.counter.returns_desk import ReturnsDesk
    from kiosk.counter.session import SaleSession
    from kiosk.counter.shift_desk import ShiftDesk
    from kiosk.counter.status import FailedOrder
    from kiosk.hardware.base import ReceiptPrinter
    from kiosk.payments.base import ReaderLevers
    from kiosk.staff.signin import StaffSession


class Spawn(Protocol):
    def __call__(
        self, coro: Coroutine[Any, Any, Any], *, waits_on_person: bool = False
    ) -> None: ...


class ScreenServices(Protocol):
    @property
    def session(self) -> SaleSession: ...

    @property
    def printer(self) -> ReceiptPrinter: ...

    @property
    def sim_reader(self) -> ReaderLevers | None:
        """The simulated reader, whose Approve and Decline the pay sheet shows; else None."""

    @property
    def staff(self) -> StaffSession | None:
        """Who is signed in, and the lock; None when the device has no staff (no sign-in)."""

    def shift_desk(self) -> ShiftDesk:
        """The shift and its cash: float, cash in and out, X and Z reports (the Shift sheet)."""

    def reset_desk(self) -> ResetDesk | None:
        """The factory reset (Devices sheet); None when the till does not know its data folder."""

    def reset_now(self) -> None:
        """A reset was requested: the till closes so that it can be carried out."""

    def lock(self) -> None:
        """Lock the till now: the sign-in sheet opens, for the same person or the next."""

    def browser(self, page_size: int) -> CatalogBrowser: ...

    def spawn(self, coro: Coroutine[Any, Any, Any], *, waits_on_person: bool = False) -> None:
        """Run `coro` on the app's loop; its failure is shown, never swallowed. `waits_on_person`:
        it may wait on someone (a card on the reader), which the tests' "settled" does not await."""

    def printer_used(self) -> None:
        """A job just ran on the printer: the status bar asks its state again."""

    def failed_orders(self) -> Sequence[FailedOrder]: ...

    def orders_desk(self) -> OrdersDesk:
        """Past sales: found, reprinted, retried (the Orders sheet)."""

    def pickup_desk(self) -> PickupDesk:
        """Web orders waiting in the shop, handed over as the signed-in member (Pickup sheet)."""

    def returns_desk(self) -> ReturnsDesk:
        """Refunds of past sales, recorded as the signed-in member's (the Returns sheet)."""

    def receipt_image(self, order: Order) -> Path | None: ...

    def scanner_lines(self) -> list[str]: ...

    async def print_test_page(self) -> None: ...
