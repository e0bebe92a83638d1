"""`kiosk sale --card`: the sale paid on the paired reader, through the counter's own card path.

The counter's SaleSession records the attempt durably before the reader is asked and makes the
approval the sale's tender, so a headless card sale is charged exactly as the touchscreen's.
Exit 0 approved (the sale is committed), 1 declined, cancelled or the reader could not try.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from kiosk.cli.output import emit
from kiosk.cli.render import order_text
from kiosk.connectors.factory import NotProvisioned
from kiosk.core.cart import Cart
from kiosk.core.money import Money
from kiosk.counter.session import SaleSession
from kiosk.hardware.fake import FakePrinter
from kiosk.payments.base import PaymentUnknown, ReaderError
from kiosk.runtime import Runtime, open_card_reader
from kiosk.store import orders

if TYPE_CHECKING:
    from kiosk.core.models import CardResult, Order

NO_READER = (
    "no card reader is set up: run `kiosk provision stripe --key KEY`, then `kiosk reader pair "
    "CODE`"
)


async def run_card(
    args: argparse.Namespace, rt: Runtime, fill: Callable[[Cart], Awaitable[Money]]
) -> int:
    """Pay the cart `fill` fills by card; `fill` raises UsageError for bad items first."""
    async with open_card_reader(rt.config) as reader:
        if reader is None:
            raise NotProvisioned(NO_READER)
        # The headless sale prints no receipt (as a cash one does not): the printer is memory.
        session = SaleSession(rt.db, rt.checkout, FakePrinter(), reader)
        await session.start()
        cart = session.cart
        await fill(cart)
        locale = cart.settings.locale
        try:
            result = await session.pay_card()
        except (ReaderError, PaymentUnknown) as exc:
            unknown = isinstance(exc, PaymentUnknown)
            data = {"order_id": cart.id, "approved": False, "message": str(exc), "unknown": unknown}
            emit(args.json, data, f"Card not charged: {exc}" if not unknown else str(exc))
            return 1
        if not result.approved:
            emit(args.json, _declined(cart, result), f"Card not approved: {result.message}")
            return 1
        done = await session.complete()
    await report_sale(
        args,
        rt,
        done.order,
        card={
            "approved": True,
            "amount": result.amount.to_json(locale),
            "reference": result.reference,
            "brand": result.card_brand,
            "last4": result.card_last4,
            "entry_mode": result.entry_mode,
            "auth_code": result.auth_code,
        },
    )
    return 0


def _declined(cart: Cart, result: CardResult) -> dict[str, object]:
    return {
        "order_id": cart.id,
        "approved": False,
        "message": result.message,
        "code": result.code,
        "reference": result.reference,
    }


async def report_sale(args: argparse.Namespace, rt: Runtime, order: Order, **extra: Any) -> None:
    """Print the committed sale: one JSON object with `extra` in it, or the order as text."""
    stored = await orders.get_order(rt.db, order.id)
    assert stored is not None  # committed a moment ago in this process
    locale = (await rt.checkout.pricing()).settings.locale
    emit(
        args.json,
        {
            "order_id": order.id,
            "number": order.number,
            "total": order.total.to_json(locale),
            "change": order.change.to_json(locale),
            "status": str(stored.state),
            **extra,
        },
        order_text(stored, locale),
    )
