"""Finding a web order by its number to refund it here: on the till if it was brought here
before (that works offline), else asked of the store and stored (kiosk.store.web_orders)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from kiosk.connectors.errors import ConnectorError, Rejected
from kiosk.core.models import Order
from kiosk.core.refund_calc import RefundError
from kiosk.store import orders, web_orders
from kiosk.store.db import Database
from kiosk.store.orders import StoredOrder

# Asks the store for its paid web order by number (Connector.online_order, opened and closed).
WebOrderFinder = Callable[[str], Awaitable[Order | None]]

NO_STORE = "finding a web order needs the store: this till is not connected to one"


async def bring_web_order(db: Database, finder: WebOrderFinder | None, number: str) -> StoredOrder:
    """The web order numbered `number`, stored on the till (once) as already in the store.

    Raises RefundError in words: no number, no store to ask, the store unreachable or refusing
    (an unpaid order), or no such order.
    """
    wanted = number.strip()
    if not wanted.lstrip("#"):
        raise RefundError("type the web order's number first")
    known = await web_orders.find_imported(db, wanted)
    if known is not None:
        return known
    if finder is None:
        raise RefundError(NO_STORE)
    try:
        found = await finder(wanted)
    except Rejected as exc:  # there, but not paid: the store's reason, in words
        raise RefundError(str(exc)) from None
    except ConnectorError as exc:
        raise RefundError(f"the web shop could not be asked for order {wanted}: {exc}") from None
    if found is None:
        raise RefundError(f"the web shop has no paid order number {wanted}")
    here = await orders.get_order(db, found.id)
    if here is not None:  # sold on this till: refund the till's own copy
        return here
    return await web_orders.import_web_order(db, found)
