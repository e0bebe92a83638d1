"""What in a sale needs a manager's approval: a discount above the shop's limit ([staff]
discount_limit_percent), and a void (a line taken out, or fewer of it, once another was rung up
after it). The approval itself is kiosk.staff.overrides.approve, which records it."""

from __future__ import annotations

from decimal import Decimal

from kiosk.core.cart import Cart, CartError
from kiosk.staff.overrides import ACTION_WORDS, Action, Approval, discount_needs_manager


class NeedsManager(CartError):
    """The change needs a manager's PIN first; `action` is what to approve (the screen asks for
    it, then calls again with the Approval). A CartError, so a screen that only shows
    CartErrors still tells the cashier why nothing changed."""

    def __init__(self, action: Action, message: str) -> None:
        super().__init__(message)
        self.action = action


def check_discount(cart: Cart, limit: Decimal | None, approval: Approval | None) -> None:
    """Raise NeedsManager when the cart's discounts together go above `limit` percent of its
    shelf prices and `approval` is not a DISCOUNT approval for this cart."""
    if limit is None:
        return
    t = cart.totals()
    if not discount_needs_manager(t.discount_display, t.subtotal_display, limit):
        return
    if approval is not None and approval.action is Action.DISCOUNT and approval.subject == cart.id:
        return
    raise NeedsManager(
        Action.DISCOUNT,
        f"{ACTION_WORDS[Action.DISCOUNT].capitalize()} of {limit.normalize():f}% needs a "
        "manager's PIN",
    )


def check_void(cart: Cart, index: int, last_added: int | None, approval: Approval | None) -> None:
    """Raise NeedsManager when taking from line `index` is a void: any line but the one rung up
    last (correcting the scan just made is not), without a VOID approval for this cart."""
    if index == last_added:
        return
    if approval is not None and approval.action is Action.VOID and approval.subject == cart.id:
        return
    name = cart.lines[index].product.name
    raise NeedsManager(Action.VOID, f"Taking {name} off the sale needs a manager's PIN")
