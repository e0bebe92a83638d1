"""Builders for store tests: products, catalogs, and consistent Orders built from models alone."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from kiosk.core.models import (
    Attribute,
    LineTax,
    Order,
    OrderLine,
    Payment,
    PaymentMethod,
    Product,
    ProductKind,
    TaxLine,
)
from kiosk.core.money import Money, round_half_up

CUR = "EUR"
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def eur(minor: int) -> Money:
    return Money(minor, CUR)


def simple(pid: str, name: str, *, price: int | None = 1000, **kw: object) -> Product:
    return Product(
        id=pid,
        kind=ProductKind.SIMPLE,
        name=name,
        price=None if price is None else eur(price),
        **kw,  # type: ignore[arg-type]
    )


def variable(pid: str, name: str, **kw: object) -> Product:
    return Product(id=pid, kind=ProductKind.VARIABLE, name=name, price=None, **kw)  # type: ignore[arg-type]


def variation(pid: str, parent: str, name: str, *, price: int = 1000, **kw: object) -> Product:
    return Product(
        id=pid,
        kind=ProductKind.VARIATION,
        name=name,
        parent_id=parent,
        price=eur(price),
        **kw,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Sold:
    """One line to put on a test order: what, how many, at what unit price (ex tax)."""

    product_id: str
    quantity: int = 1
    unit: int = 1000
    variation_id: str | None = None
    discount: int = 0


RATE = Decimal("20.0000")


def make_order(
    sold: Sequence[Sold],
    *,
    order_id: str | None = None,
    created_at: datetime = T0,
    method: PaymentMethod = PaymentMethod.CASH,
    meta: dict[str, str] | None = None,
) -> Order:
    """A consistent order: prices ex tax, one 20 % rate (id "1"), paid exactly (cash: + change)."""
    lines = []
    for no, s in enumerate(sold, start=1):
        subtotal = eur(s.unit * s.quantity)
        total = subtotal - eur(s.discount)
        sub_tax = eur(round_half_up(Decimal(subtotal.minor) * RATE / 100))
        tot_tax = eur(round_half_up(Decimal(total.minor) * RATE / 100))
        lines.append(
            OrderLine(
                line_no=no,
                product_id=s.product_id,
                variation_id=s.variation_id,
                name=f"Item {s.variation_id or s.product_id}",
                sku=f"SKU-{s.product_id}",
                quantity=s.quantity,
                unit_price=eur(s.unit),
                subtotal=subtotal,
                subtotal_tax=sub_tax,
                total=total,
                total_tax=tot_tax,
                discount=subtotal - total,
                taxes=(LineTax("1", sub_tax, tot_tax),),
                attributes=(Attribute("Size", ("M",)),) if s.variation_id else (),
            )
        )
    tax = sum((li.total_tax for li in lines), eur(0))
    net = sum((li.total for li in lines), eur(0))
    total = net + tax
    tendered = eur(-(-total.minor // 500) * 500) if method is PaymentMethod.CASH else total
    return Order(
        id=order_id or str(uuid.uuid4()),
        created_at=created_at,
        currency=CUR,
        lines=tuple(lines),
        tax_lines=(TaxLine("1", "VAT", RATE, False, tax),),
        subtotal=sum((li.subtotal for li in lines), eur(0)),
        discount_total=sum((li.discount for li in lines), eur(0)),
        discount_tax=eur(0),
        tax_total=tax,
        total=total,
        payments=(
            Payment(
                method=method,
                amount=total,
                tendered=tendered,
                change=tendered - total,
                reference="pi_123" if method is PaymentMethod.CARD else "",
            ),
        ),
        prices_include_tax=False,
        round_at_subtotal=False,
        cashier="ann",
        note="thanks",
        meta=meta if meta is not None else {"source": "test"},
    )


ADJECTIVES = (
    "red", "blue", "green", "black", "white", "large", "small", "organic", "classic", "premium",
    "fresh", "smoked", "spicy", "sweet", "dark", "light", "vintage", "wooden", "steel", "cotton",
    "woollen", "silk", "golden", "silver", "rustic",
)  # fmt: skip
NOUNS = (
    "shirt", "mug", "candle", "teapot", "blanket", "notebook", "pencil", "scarf", "basket", "lamp",
    "bottle", "chair", "cushion", "jam", "honey", "coffee", "cheese", "bread", "sausage", "soap",
    "brush", "glove", "hat", "towel", "plate", "bowl",
)  # fmt: skip


def generate_catalog(n: int, seed: int = 1) -> list[Product]:
    """`n` products (without their variations): every 10th is variable with 3 sizes.

    Names are "<adjective> <noun> <i>", SKUs "SKU-<i>" ("SKU-<i>-<size>" for variations),
    barcodes 13 digits "200<i:010d>" ("300<i:08d><k:02d>" for variations); every 50th product
    is a draft. Rows come parent first, then its variations.
    """
    rng = random.Random(seed)
    out: list[Product] = []
    for i in range(1, n + 1):
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {i}".title()
        status = "draft" if i % 50 == 0 else "publish"
        if i % 10 == 0:
            out.append(variable(f"p{i}", name, sku=f"SKU-{i}", status=status))
            for k, size in enumerate(("S", "M", "XL"), start=1):
                out.append(
                    variation(
                        f"p{i}v{k}",
                        f"p{i}",
                        f"{name} - {size}",
                        sku=f"SKU-{i}-{size}",
                        barcode=f"300{i:08d}{k:02d}",
                        status=status,
                        attributes=(Attribute("Size", (size,)),),
                    )
                )
        else:
            out.append(simple(f"p{i}", name, sku=f"SKU-{i}", barcode=f"200{i:010d}", status=status))
    return out
