"""Receipts: what a committed order prints as, in several currencies, at 32 and 48 columns."""

from __future__ import annotations

import dataclasses
import string
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.cart import Cart
from kiosk.core.discount import Discount
from kiosk.core.models import (
    Attribute,
    Order,
    PaymentMethod,
    Product,
    ProductKind,
    ShopSettings,
    TaxRate,
)
from kiosk.core.money import Money
from kiosk.core.receipt import (
    UNSYNCED_MARK,
    LineStyle,
    Receipt,
    ReceiptLine,
    build_receipt,
)
from kiosk.core.tender import Tender

NOW = datetime(2025, 6, 1, 23, 30, tzinfo=UTC)
VAT = TaxRate("1", Decimal("20.0000"), "VAT", country="GB")
MWST = TaxRate("2", Decimal("19.0000"), "MwSt.", country="DE")
CASH, CARD = PaymentMethod.CASH, PaymentMethod.CARD
ORDER_ID = "6f1c2a4e-1111-4222-8333-944455556666"


def shop(currency: str = "GBP", locale: str = "en_GB", **kw: object) -> ShopSettings:
    kw.setdefault("country", "GB")
    kw.setdefault("name", "Corner Shop")
    return ShopSettings(currency=currency, locale=locale, **kw)  # type: ignore[arg-type]


def product(pid: str, name: str, minor: int, currency: str = "GBP", **kw: object) -> Product:
    kw.setdefault("kind", ProductKind.SIMPLE)
    return Product(pid, name=name, price=Money(minor, currency), **kw)  # type: ignore[arg-type]


def sell(
    settings: ShopSettings,
    items: list[tuple[Product, int]],
    tenders: list[Tender],
    *,
    rates: tuple[TaxRate, ...] = (VAT,),
    line_discounts: dict[int, Discount] | None = None,
    cart_discount: Discount | None = None,
    offline: bool = False,
    number: str = "POS-00012",
) -> Order:
    cart = Cart(settings, rates, order_id=ORDER_ID)
    for p, qty in items:
        cart.add(p, qty)
    for i, d in (line_discounts or {}).items():
        cart.set_line_discount(i, d)
    cart.set_cart_discount(cart_discount)
    order = cart.checkout(tenders, now=NOW, cashier="Alice", offline=offline)
    return dataclasses.replace(order, number=number)


def gbp(minor: int) -> Money:
    return Money(minor, "GBP")


def texts(r: Receipt) -> list[str]:
    return [line.text for line in r.lines]


def assert_fits(r: Receipt) -> None:
    for line in r.lines:
        cols = r.width // 2 if line.style is LineStyle.LARGE else r.width
        assert len(line.text) <= cols, line
        assert line.text == line.text.rstrip(), line


# -- the whole layout ---------------------------------------------------------------------------


def test_a_gbp_receipt_reads_as_printed() -> None:
    order = sell(
        shop(),
        [(product("1", "Mug", 350), 2), (product("2", "Tea", 150), 1)],
        [Tender(CASH, gbp(2000))],
    )
    r = build_receipt(order, shop(), width=32, header=("1 High St",), footer=("Thank you!",))
    assert r.text() == "\n".join(
        [
            "  Corner Shop",
            "           1 High St",
            "-" * 32,
            "Order                  POS-00012",
            "Date            2025-06-01 23:30",
            "Cashier                    Alice",
            "-" * 32,
            "2 x Mug                    £7.00",
            "1 x Tea                    £1.50",
            "-" * 32,
            "Subtotal                   £8.50",
            "VAT 20%                    £1.70",
            "TOTAL     £10.20",
            "-" * 32,
            "Cash                      £20.00",
            "Change                     £9.80",
            "-" * 32,
            "           Thank you!",
        ]
    )
    assert r.lines[0].style is LineStyle.LARGE
    assert r.lines[12] == ReceiptLine("TOTAL     £10.20", LineStyle.LARGE)
    assert r.qr_data == f"POS-00012|{ORDER_ID}"
    assert (r.order_id, r.order_number, r.reference) == (ORDER_ID, "POS-00012", "POS-00012")
    assert UNSYNCED_MARK not in r.text()
    assert_fits(r)


def test_date_is_in_the_shops_timezone() -> None:
    order = sell(shop(), [(product("1", "Mug", 350), 1)], [Tender(CASH, gbp(420))])
    r = build_receipt(order, shop(), timezone=ZoneInfo("Europe/Berlin"))
    (date,) = [t for t in texts(r) if t.startswith("Date")]
    assert date.endswith("2025-06-02 01:30")  # 23:30 UTC is 01:30 the next day in summer


def test_an_uncommitted_order_is_referred_to_by_its_id() -> None:
    order = sell(shop(), [(product("1", "Mug", 350), 1)], [Tender(CASH, gbp(420))], number="")
    r = build_receipt(order, shop())
    assert r.qr_data == ORDER_ID
    assert r.reference == ORDER_ID
    assert not any(t.startswith("Order") for t in texts(r))


# -- currencies ---------------------------------------------------------------------------------


def test_euro_in_german_with_tax_included() -> None:
    de = shop("EUR", "de_DE", country="DE", prices_include_tax=True, name="Eckladen")
    order = sell(
        de,
        [(product("1", "Brezel", 1250, "EUR"), 2)],
        [Tender(CASH, Money(5000, "EUR"))],
        rates=(MWST,),
    )
    r = build_receipt(order, de, width=48)
    t = texts(r)
    assert t[t.index("-" * 48, 5) + 1].endswith("25,00\xa0€")  # the shelf price, tax in it
    assert any(x.startswith("inkl. MwSt. 19%") and x.endswith("3,99\xa0€") for x in t)
    assert ReceiptLine("SUMME" + "25,00\xa0€".rjust(19), LineStyle.LARGE) in r.lines
    assert any(x.startswith("Rückgeld") and x.endswith("25,00\xa0€") for x in t)
    assert_fits(r)


def test_yen_has_no_decimals() -> None:
    jp = shop("JPY", "ja_JP", country="JP", taxes_enabled=False)
    order = sell(jp, [(product("1", "Onigiri", 250, "JPY"), 5)], [Tender(CASH, Money(2000, "JPY"))])
    r = build_receipt(order, jp, width=32)
    t = r.text()
    assert Money(1250, "JPY").format("ja_JP") in t
    assert "1,250" in t
    assert "1,250.00" not in t
    assert any(x.startswith("Change") and x.endswith("750") for x in texts(r))
    assert_fits(r)


def test_bahraini_dinar_keeps_three_decimals_and_a_long_total_goes_bold() -> None:
    bh = shop("BHD", "en_US", country="BH", taxes_enabled=False)
    order = sell(
        bh, [(product("1", "Gold", 1234567, "BHD"), 1)], [Tender(CASH, Money(1234567, "BHD"))]
    )
    r = build_receipt(order, bh, width=32)
    total_text = Money(1234567, "BHD").format("en_US")
    assert "1,234.567" in total_text
    (total,) = [line for line in r.lines if line.text.startswith("TOTAL")]
    # Too wide for a large line on 58 mm paper: printed bold at normal size instead.
    assert total == ReceiptLine("TOTAL" + total_text.rjust(27), LineStyle.BOLD)
    assert_fits(r)


# -- lines, discounts, tenders -------------------------------------------------------------------


def test_discounts_show_under_their_line_and_in_the_totals() -> None:
    order = sell(
        shop(),
        [(product("1", "Mug", 500), 2), (product("2", "Tea", 1000), 1)],
        [Tender(CASH, gbp(5000))],
        line_discounts={0: Discount.percent(10)},
        cart_discount=Discount.fixed(gbp(100)),
    )
    r = build_receipt(order, shop(), width=48)
    t = texts(r)
    i = t.index("2 x Mug" + "£10.00".rjust(41))
    # £1.00 of its own, and the cart's £1.00 spread by what is left of each line (9:10).
    assert t[i + 1] == "    Discount" + "-£1.47".rjust(36)
    assert t[i + 2] == "1 x Tea" + "£10.00".rjust(41)
    assert t[i + 3] == "    Discount" + "-£0.53".rjust(36)
    assert "Subtotal" + "£20.00".rjust(40) in t
    assert "Discount" + "-£2.00".rjust(40) in t
    assert "VAT 20%" + "£3.60".rjust(41) in t
    assert order.total == gbp(2160)


def test_split_tender_lists_each_payment() -> None:
    order = sell(
        shop(),
        [(product("1", "Mug", 1000), 2)],
        [
            Tender(CARD, gbp(1200), reference="pi_123", card_brand="visa", card_last4="4242"),
            Tender(CASH, gbp(2000)),
        ],
    )
    r = build_receipt(order, shop(), width=32)
    t = texts(r)
    start = t.index("Card Visa **** 4242       £12.00")
    assert t[start : start + 4] == [
        "Card Visa **** 4242       £12.00",
        "  Ref pi_123",
        "Cash                      £20.00",
        "Change                     £8.00",
    ]


def test_a_card_payment_shows_how_the_card_was_read_and_its_auth_code() -> None:
    card = Tender(CARD, gbp(2000), "pi_3Q", "visa", "4242", "Contactless", "A1B2C3")
    order = sell(shop(), [(product("1", "Mug", 1000), 2)], [card], rates=())
    t = texts(build_receipt(order, shop(), width=32))
    start = t.index("Card Visa **** 4242       £20.00")
    assert t[start : start + 3] == [
        "Card Visa **** 4242       £20.00",
        "  Contactless, Auth code A1B2C3",
        "  Ref pi_3Q",
    ]
    # In the shop's language; a way of reading the receipt words do not know prints as given.
    german = shop("EUR", "de_DE", country="DE")
    chip = Tender(CARD, Money(2000, "EUR"), "pi_4", "visa", "4242", "Chip", "123456")
    mugs = [(product("1", "Mug", 1000, "EUR"), 2)]
    t = texts(build_receipt(sell(german, mugs, [chip], rates=()), german))
    assert "  Chip, Genehmigungs-Nr. 123456" in t
    odd = Tender(CARD, Money(2000, "EUR"), "pi_5", "visa", "4242", "Keyed in")
    t = texts(build_receipt(sell(german, mugs, [odd], rates=()), german))
    assert "  Keyed in" in t


def test_long_names_wrap_and_lose_nothing() -> None:
    name = "Extraordinarily long organic fairtrade single-origin coffee beans, 1kg bag"
    order = sell(shop(), [(product("1", name, 1999), 3)], [Tender(CASH, gbp(10000))])
    for width in (32, 48):
        r = build_receipt(order, shop(), width=width)
        t = texts(r)
        first = next(i for i, x in enumerate(t) if x.startswith("3 x "))
        assert t[first].endswith("£59.97")
        block = [t[first].removesuffix("£59.97"), *t[first + 1 : t.index("-" * width, first)]]
        assert all(row.startswith("    ") for row in block[1:])  # under the name, not the qty
        assert " ".join(row.strip() for row in block) == "3 x " + name
        assert_fits(r)


def test_a_word_wider_than_the_paper_is_split_not_cut() -> None:
    name = "Supercalifragilisticexpialidocious" * 2
    order = sell(shop(), [(product("1", name, 100), 1)], [Tender(CASH, gbp(120))])
    r = build_receipt(order, shop(), width=32)
    t = texts(r)
    first = next(i for i, x in enumerate(t) if x.startswith("1 x "))
    rows = [t[first].removesuffix("£1.00"), *t[first + 1 : t.index("-" * 32, first)]]
    assert "".join("".join(rows).split()) == "1x" + name
    assert_fits(r)


def test_variation_options_print_once() -> None:
    size = (Attribute("Size", ("XL",)),)
    colour = (Attribute("Colour", ("Red",)),)
    named = product("7", "T-Shirt - Red", 1200, kind=ProductKind.VARIATION, parent_id="6")
    order = sell(
        shop(),
        [
            (dataclasses.replace(named, attributes=size), 1),
            (dataclasses.replace(named, id="8", attributes=colour), 1),
        ],
        [Tender(CASH, gbp(5000))],
    )
    names = [x.removesuffix("£12.00").strip() for x in texts(build_receipt(order, shop()))]
    # The name lacks the size, so it is added; it already says the colour, so it is not.
    assert [x for x in names if "T-Shirt" in x] == ["1 x T-Shirt - Red - XL", "1 x T-Shirt - Red"]


def test_control_characters_never_reach_the_printer() -> None:
    order = sell(shop(), [(product("1", "Mug\x1b@\x1dV\nBlue", 350), 1)], [Tender(CASH, gbp(500))])
    r = build_receipt(order, shop(), header=("Open\r\n9-5",))
    assert not any(c in r.text() for c in "\x1b\x1d\r")
    assert any(x.startswith("1 x Mug @ V Blue") for x in texts(r))
    assert len(r.text().splitlines()) == len(r.lines)


# -- marks and validation -----------------------------------------------------------------------


@pytest.mark.parametrize(("offline", "unsynced"), [(True, False), (False, True)])
def test_unsynced_orders_are_marked(offline: bool, unsynced: bool) -> None:
    order = sell(shop(), [(product("1", "Mug", 350), 1)], [Tender(CASH, gbp(420))], offline=offline)
    r = build_receipt(order, shop(), width=32, unsynced=unsynced)
    assert ReceiptLine(UNSYNCED_MARK.center(32).rstrip(), LineStyle.BOLD) in r.lines


def test_receipt_refuses_lines_wider_than_the_paper() -> None:
    with pytest.raises(ValueError, match=r"line 0 .* wider than its 16 columns"):
        Receipt(32, (ReceiptLine("x" * 17, LineStyle.LARGE),), "q", "id")
    with pytest.raises(ValueError, match="line 1 holds control characters"):
        Receipt(32, (ReceiptLine("ok"), ReceiptLine("\x1bd\x05")), "q", "id")
    with pytest.raises(ValueError, match="at least 24 columns"):
        build_receipt(
            sell(shop(), [(product("1", "Mug", 350), 1)], [Tender(CASH, gbp(420))]),
            shop(),
            width=20,
        )


NAME = st.text(alphabet=string.ascii_letters + string.digits + " -/&'().,", max_size=150).filter(
    lambda s: s.strip() != ""
)


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(NAME, min_size=1, max_size=4),
    qty=st.integers(1, 9999),
    width=st.sampled_from([32, 48]),
    shop_name=NAME,
)
def test_every_line_fits_and_every_name_is_printed_whole(
    names: list[str], qty: int, width: int, shop_name: str
) -> None:
    s = shop(name=shop_name)
    items = [(product(str(i), n, 99999), qty) for i, n in enumerate(names)]
    order = sell(s, items, [Tender(CASH, gbp(10**12))])
    r = build_receipt(order, s, width=width, header=(shop_name,), footer=(shop_name,))
    assert_fits(r)
    t = texts(r)
    rules = [i for i, x in enumerate(t) if x == "-" * width]
    block = "".join("".join(t[rules[1] + 1 : rules[2]]).split())
    amount = gbp(99999 * qty).format("en_GB")
    assert block.replace(amount, "") == "".join(f"{qty}x" + "".join(n.split()) for n in names)


def test_an_amount_too_wide_to_share_a_line_gets_its_own() -> None:
    order = sell(
        shop(), [(product("1", "Gold bar, one kilo", 999999999), 1)], [Tender(CASH, gbp(10**10))]
    )
    r = build_receipt(order, shop(), width=24)
    t = texts(r)
    first = t.index("1 x Gold bar, one kilo")
    assert t[first + 1] == "£9,999,999.99".rjust(24)
    assert_fits(r)
