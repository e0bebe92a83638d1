"""Receipts in the shop's language: the words per language, and receipts laid out with them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kiosk.core.cart import Cart
from kiosk.core.discount import Discount
from kiosk.core.models import PaymentMethod, Product, ProductKind, ShopSettings, TaxRate
from kiosk.core.money import Money
from kiosk.core.receipt import LineStyle, Receipt, ReceiptLine, build_receipt
from kiosk.core.receipt_words import (
    DUTCH,
    ENGLISH,
    FRENCH,
    GERMAN,
    ITALIAN,
    PORTUGUESE,
    SPANISH,
    WORDS,
    ReceiptWords,
    receipt_words,
)
from kiosk.core.tender import Tender
from kiosk.payments.stripe_outcomes import ENTRY_MODES

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ORDER_ID = "6f1c2a4e-1111-4222-8333-944455556666"
MWST = TaxRate("2", Decimal("19.0000"), "MwSt.", country="DE")
TVA = TaxRate("3", Decimal("20.0000"), "TVA", country="FR")
UNNAMED = TaxRate("4", Decimal("10.0000"), "", country="IT")  # the store gave it no name
CASH, CARD, OTHER = PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.OTHER
FIELDS = [f.name for f in dataclasses.fields(ReceiptWords)]


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def shop(locale: str, name: str = "Café Müller", **kw: object) -> ShopSettings:
    kw.setdefault("prices_include_tax", True)
    return ShopSettings("EUR", locale=locale, name=name, **kw)  # type: ignore[arg-type]


def receipt(
    settings: ShopSettings,
    width: int,
    rate: TaxRate,
    tenders: list[Tender] | None = None,
    price: int = 450,
) -> Receipt:
    """Two lines, one discounted; paid by card and cash with change; sold offline."""
    cart = Cart(settings, (rate,), order_id=ORDER_ID)
    cart.add(Product("1", ProductKind.SIMPLE, "Crème brûlée", eur(price)), 2)
    cart.add(Product("2", ProductKind.SIMPLE, "Brezel", eur(1290)))
    cart.set_line_discount(1, Discount.percent(Decimal(10)))
    cart.set_cart_discount(Discount.fixed(eur(100)))
    tenders = tenders or [Tender(CARD, eur(1000), "pi_1", "visa", "4242"), Tender(CASH, eur(2000))]
    order = cart.checkout(tenders, now=NOW, cashier="Jürgen", offline=True)
    order = dataclasses.replace(order, number="POS-00042")
    return build_receipt(order, settings, width=width)


# -- receipts in German and French ---------------------------------------------------------------


def test_a_german_receipt_on_58mm_paper_reads_as_printed() -> None:
    r = receipt(shop("de_DE", country="DE"), 32, MWST)
    assert r.text() == "\n".join(
        [
            "  Café Müller",
            "-" * 32,
            "Bestellung             POS-00042",
            "Datum           2025-06-01 12:00",
            "Kassierer                 Jürgen",
            "-" * 32,
            "2 x Crème brûlée          9,00\xa0€",
            "    Rabatt               -0,44\xa0€",
            "1 x Brezel               12,90\xa0€",
            "    Rabatt               -1,85\xa0€",
            "-" * 32,
            "Zwischensumme            21,90\xa0€",
            "Rabatt                   -2,29\xa0€",
            "inkl. MwSt. 19%           3,13\xa0€",
            "SUMME    19,61\xa0€",
            "-" * 32,
            "Karte Visa **** 4242     10,00\xa0€",
            "  Ref. pi_1",
            "Bar                      20,00\xa0€",
            "Rückgeld                 10,39\xa0€",
            "-" * 32,
            "   NOCH NICHT SYNCHRONISIERT",
        ]
    )
    assert r.lines[14] == ReceiptLine("SUMME    19,61\xa0€", LineStyle.LARGE)
    assert r.lines[-1].style is LineStyle.BOLD


def test_a_german_receipt_on_80mm_paper() -> None:
    r = receipt(shop("de_DE", country="DE"), 48, MWST)
    t = [line.text for line in r.lines]
    assert "Bestellung" + "POS-00042".rjust(38) in t
    assert "Zwischensumme" + "21,90\xa0€".rjust(35) in t
    assert "inkl. MwSt. 19%" + "3,13\xa0€".rjust(33) in t
    assert ReceiptLine("SUMME" + "19,61\xa0€".rjust(19), LineStyle.LARGE) in r.lines
    assert "Rückgeld" + "10,39\xa0€".rjust(40) in t
    assert ReceiptLine("NOCH NICHT SYNCHRONISIERT".center(48).rstrip(), LineStyle.BOLD) in r.lines
    assert not {"Order", "Subtotal", "TOTAL", "Change", "(included)"} & set(" ".join(t).split())


def test_a_french_receipt_on_80mm_paper_reads_as_printed() -> None:
    r = receipt(shop("fr_FR", "Café de la Gare", country="FR"), 48, TVA)
    assert r.text() == "\n".join(
        [
            "    Café de la Gare",
            "-" * 48,
            "Commande" + "POS-00042".rjust(40),
            "Date" + "2025-06-01 12:00".rjust(44),
            "Caissier" + "Jürgen".rjust(40),
            "-" * 48,
            "2 x Crème brûlée" + "9,00\xa0€".rjust(32),
            "    Remise" + "-0,44\xa0€".rjust(38),
            "1 x Brezel" + "12,90\xa0€".rjust(38),
            "    Remise" + "-1,85\xa0€".rjust(38),
            "-" * 48,
            "Sous-total" + "21,90\xa0€".rjust(38),
            "Remise" + "-2,29\xa0€".rjust(42),
            "TVA 20% incluse" + "3,27\xa0€".rjust(33),
            "TOTAL" + "19,61\xa0€".rjust(19),
            "-" * 48,
            "Carte Visa **** 4242" + "10,00\xa0€".rjust(28),
            "  Réf. pi_1",
            "Espèces" + "20,00\xa0€".rjust(41),
            "Monnaie rendue" + "10,39\xa0€".rjust(34),
            "-" * 48,
            "PAS ENCORE SYNCHRONISÉ".center(48).rstrip(),
        ]
    )


def test_a_french_receipt_on_58mm_paper() -> None:
    r = receipt(shop("fr_FR", "Café de la Gare", country="FR"), 32, TVA)
    t = [line.text for line in r.lines]
    assert "Sous-total               21,90\xa0€" in t
    assert "TVA 20% incluse           3,27\xa0€" in t
    assert ReceiptLine("TOTAL    19,61\xa0€", LineStyle.LARGE) in r.lines
    assert "Monnaie rendue           10,39\xa0€" in t
    assert ReceiptLine("     PAS ENCORE SYNCHRONISÉ", LineStyle.BOLD) in r.lines


def test_a_longer_total_word_goes_bold_where_a_shorter_one_stays_large() -> None:
    # The same "1.210,61 €": "SUMME" makes 16 characters, a large line on 58 mm paper;
    # "TOTALE" makes 17, one too many, so it prints bold at normal size.
    paid = [Tender(CASH, eur(500000))]
    german = receipt(shop("de_DE", country="IT"), 32, UNNAMED, paid, price=60000)
    italian = receipt(shop("it_IT", country="IT"), 32, UNNAMED, paid, price=60000)
    assert ReceiptLine("SUMME 1.210,61\xa0€", LineStyle.LARGE) in german.lines
    assert ReceiptLine("TOTALE" + "1.210,61\xa0€".rjust(26), LineStyle.BOLD) in italian.lines
    assert "Imposta 10% inclusa     110,05\xa0€" in italian.text()  # an unnamed tax, in Italian
    assert "inkl. Steuer 10%        110,05\xa0€" in german.text()


# -- English stays English -----------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en_GB", "en_US", "ja_JP", "zh_Hans_CN", "pl_PL"])
def test_english_and_unknown_languages_print_the_english_words(locale: str) -> None:
    assert receipt_words(locale) is ENGLISH
    r = receipt(shop(locale, "Corner Shop", country="DE"), 48, MWST)
    t = r.text()
    for word in ("Order", "Date", "Cashier", "Subtotal", "Discount", "TOTAL", "Cash", "Change"):
        assert word in t
    assert "MwSt. 19% (included)" in t
    assert "Card Visa **** 4242" in t
    assert "  Ref pi_1" in t
    assert t.endswith("NOT YET SYNCED")


def test_english_words_are_the_ones_receipts_always_had() -> None:
    assert dataclasses.astuple(ENGLISH) == (
        "Order",
        "Date",
        "Cashier",
        "Subtotal",
        "Discount",
        "Tax",
        "{tax} (included)",
        "TOTAL",
        "Cash",
        "Card",
        "Other",
        "Change",
        "Ref",
        "NOT YET SYNCED",
        "Auth code",
        "Contactless",
        "Contactless (magstripe)",
        "Chip",
        "Swiped",
        "Swiped (chip failed)",
    )


@pytest.mark.parametrize("language", sorted(WORDS))
def test_every_way_of_reading_a_card_has_its_word(language: str) -> None:
    words = WORDS[language]
    # The English words kiosk.payments.stripe_outcomes gives CardResult.entry_mode.
    said = {
        "Contactless": words.contactless,
        "Contactless (magstripe)": words.contactless_magstripe,
        "Chip": words.chip,
        "Swiped": words.swiped,
        "Swiped (chip failed)": words.swiped_fallback,
    }
    assert {mode: words.entry(mode) for mode in said} == said
    # Every way the Stripe reader reports has a word of its own, not the English as given.
    assert {words.entry(mode) for mode in ENTRY_MODES.values()} <= set(said.values())
    assert words.entry("Tapped with a ring") == "Tapped with a ring"


# -- choosing the language -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("de_DE", GERMAN),
        ("de_AT", GERMAN),
        ("de_CH", GERMAN),
        ("fr_FR", FRENCH),
        ("fr_CA", FRENCH),
        ("es_ES", SPANISH),
        ("es_MX", SPANISH),
        ("it_IT", ITALIAN),
        ("nl_NL", DUTCH),
        ("nl_BE", DUTCH),
        ("pt_PT", PORTUGUESE),
        ("pt_BR", PORTUGUESE),
        ("de", GERMAN),
    ],
)
def test_words_follow_the_locales_language_not_its_country(
    locale: str, words: ReceiptWords
) -> None:
    assert receipt_words(locale) is words


@pytest.mark.parametrize("locale", ["xx_YY", "", "de-DE!"])
def test_a_locale_that_is_not_one_is_named_in_the_error(locale: str) -> None:
    with pytest.raises(ValueError, match=f"unknown shop locale {locale!r}"):
        receipt_words(locale)


def test_other_payments_are_named_in_the_shops_language() -> None:
    paid = [Tender(OTHER, eur(1500), reference="voucher 17"), Tender(CASH, eur(500))]
    r = receipt(shop("es_ES", "Tienda", country="FR"), 32, TVA, paid)
    t = [line.text for line in r.lines]
    assert "Otro" + "15,00\xa0€".rjust(28) in t
    assert "  Ref. voucher 17" in t
    assert "AÚN NO SINCRONIZADO" in r.text()


# -- every language, whole and printable ---------------------------------------------------------


def test_the_seven_languages_are_there() -> None:
    assert set(WORDS) == {"en", "de", "fr", "es", "it", "nl", "pt"}
    assert len({id(w) for w in WORDS.values()}) == 7


@pytest.mark.parametrize("language", sorted(WORDS))
def test_every_language_has_every_word(language: str) -> None:
    words = WORDS[language]
    # No defaults: a word added to ReceiptWords must be written for every language.
    assert all(f.default is dataclasses.MISSING for f in dataclasses.fields(ReceiptWords))
    for name in FIELDS:
        word = getattr(words, name)
        assert isinstance(word, str), (language, name)
        assert word.strip() == word != "", (language, name)
        assert word.isprintable(), (language, name)
    for method in PaymentMethod:
        assert words.method(method) in {words.cash, words.card, words.other}
    assert [words.method(m) for m in (CASH, CARD, OTHER)] == [words.cash, words.card, words.other]
    assert words.tax_included.count("{tax}") == 1
    assert words.included("VAT 20%").count("VAT 20%") == 1
    assert "{" not in words.included("VAT 20%")


@pytest.mark.parametrize("language", sorted(WORDS))
def test_every_word_encodes_in_the_printers_code_page(language: str) -> None:
    words = WORDS[language]
    for name in FIELDS:
        word = getattr(words, name)
        try:
            word.encode("cp858")
        except UnicodeEncodeError as exc:
            pytest.fail(f"{language} {name} {word!r} has a character PC858 lacks: {exc}")


@pytest.mark.parametrize("width", [24, 32, 48])
@pytest.mark.parametrize("language", sorted(WORDS))
def test_every_language_lays_out_within_the_paper(language: str, width: int) -> None:
    words = WORDS[language]
    settings = shop(f"{language}_BE" if language in {"fr", "nl", "de"} else language, country="IT")
    paid = [
        Tender(CARD, eur(1000), "pi_1", "mastercard", "4444", "Swiped (chip failed)", "123456"),
        Tender(OTHER, eur(500), "gift card"),
        Tender(CASH, eur(10**10)),
    ]
    r = receipt(settings, width, UNNAMED, paid, price=123456789)  # Receipt checks every line fits
    flat = " ".join(r.text().split())
    for word in (words.order, words.date, words.cashier, words.subtotal, words.discount):
        assert word in flat
    for word in (words.cash, words.card, words.other, words.change, words.total):
        assert word in flat
    assert f"{words.swiped_fallback}, {words.auth_code} 123456" in flat
    # the tax line's label may wrap round its amount on narrow paper
    assert all(part in flat for part in words.included(f"{words.tax} 10%").split())
    assert " ".join(words.unsynced.split()) in flat
