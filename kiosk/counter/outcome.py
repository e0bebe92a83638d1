"""What the till's actions did, in the cashier's words: the screen shows these and decides nothing.

Every outcome carries its own message, so the wording lives beside the rule that chose it and is
tested without a window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.core.models import Order, PaymentMethod, Product, ProductKind, StockStatus
from kiosk.core.money import Money
from kiosk.core.pricing import measured_name
from kiosk.core.receipt import Receipt


@dataclass(frozen=True, slots=True)
class Outcome:
    """A message for the cashier; `warn` when nothing happened or something needs a look, and
    `choose` a variable product whose variation the cashier must pick before anything is added."""

    message: str = ""
    warn: bool = False
    choose: Product | None = None


@dataclass(frozen=True, slots=True)
class LeftPayment:
    """Back to the cart from paying, or why not: `left` False keeps the pay sheet open with
    `message`; otherwise `hand_back` is the cash taken, to return (zero when none was)."""

    left: bool
    message: str
    hand_back: Money
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Scanned:
    """What a scan did: added `product` to the cart, or found a product that needs a choice.

    A variable-measure label also gives the line's price (the label's, or price per kg x
    weight) and, for a weighed item, its weight; both are None for an ordinary code.
    """

    product: Product
    added: bool  # False: a variable product, whose variation the cashier must pick
    price: Money | None = None
    weight_g: int | None = None

    @property
    def name(self) -> str:
        """What the screen names: the product, with the weight of a weighed item."""
        return measured_name(self.product.name, self.weight_g)


@dataclass(frozen=True, slots=True)
class Completed:
    """A paid sale: the committed order, its receipt, and what went wrong after the commit."""

    order: Order
    receipt: Receipt
    change: Money
    printer_error: str = ""  # the sale stands; the receipt can be printed again


CARD_CHARGED = "A card was charged: take the rest to finish this sale"
IN_PROGRESS = "A payment is in progress: wait for it, or cancel it on the reader"
UNCONFIRMED = "The card payment is not confirmed yet: tap Check again before anything else"
BACK_IN_CART = "The sale is open again in the cart: nothing has been paid"


def out_of_stock(p: Product) -> bool:
    """The shop has none (shown, and still sellable: the shelf may disagree with the store)."""
    return p.stock_status is StockStatus.OUT_OF_STOCK or (
        p.manage_stock and p.stock_quantity is not None and p.stock_quantity <= 0
    )


def price_text(p: Product, locale: str) -> str:
    """A product's price as a tile or a picker shows it."""
    if p.price is None:
        return "No price"
    text = p.price.format(locale)
    return f"from {text}" if p.kind is ProductKind.VARIABLE else text


def added(product: Product) -> Outcome:
    if out_of_stock(product):
        return Outcome(f"Added {product.name}, but the shop has none in stock", warn=True)
    return Outcome(f"Added {product.name}")


def scanned(found: Scanned) -> Outcome:
    if not found.added:
        return Outcome(choose=found.product)
    if found.price is not None or found.weight_g is not None:
        return Outcome(f"Added {found.name}")  # a label's price or weight: never out of stock
    return added(found.product)


def items(n: int) -> str:
    return "1 item" if n == 1 else f"{n} items"


def change_text(done: Completed, locale: str) -> tuple[str, str]:
    """The big line after a sale and the smaller one under it."""
    o = done.order
    cards = [p for p in o.payments if p.method is PaymentMethod.CARD]
    only_card = bool(cards) and len(cards) == len(o.payments)
    big = (
        f"Change {done.change.format(locale)}"
        if done.change.minor
        else ("Card approved" if only_card else "Paid")
    )
    methods = " + ".join(p.method.value for p in o.payments)
    small = f"Order {o.number} · {o.total.format(locale)} by {methods}"
    for p in cards:  # which card, as the customer will see it on their statement
        last4 = f"•••• {p.card_last4}" if p.card_last4 else ""
        said = " ".join(x for x in (p.card_brand, last4) if x)
        small += f" · {said}" + (f" · {p.entry_mode}" if p.entry_mode else "")
    return big, small


def printer_problem(failed: Sequence[tuple[str, str]]) -> str:
    """(what did not happen, the printer's reason) pairs as sentences; one cause is said once."""
    if len({why for _, why in failed}) == 1:
        return f"{first_up(' and '.join(w for w, _ in failed))}. {failed[0][1]}."
    return " ".join(f"{first_up(w)}: {why}." for w, why in failed)


def first_up(text: str) -> str:
    """The sentence with its first letter a capital (str.capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]
