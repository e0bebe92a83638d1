"""The words a receipt prints, in each language a shop may sell in.

Plain data, one frozen instance per language, chosen by the language of the shop's locale
(ShopSettings.locale): a handful of fixed words does not need gettext catalogues. Every word
must encode in the printer's code page (PC858), which the tests check.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import MappingProxyType
from typing import assert_never

from babel.core import Locale, UnknownLocaleError

from kiosk.core.models import PaymentMethod


@dataclass(frozen=True, slots=True)
class ReceiptWords:
    """The words of a receipt in one language.

    `tax_included` is a pattern: "{tax}" stands for the tax line's label ("VAT 20%").
    """

    order: str
    date: str
    cashier: str
    subtotal: str
    discount: str
    tax: str  # a tax line's label when the store gave it none
    tax_included: str
    total: str
    cash: str
    card: str
    other: str  # a payment neither cash nor card
    change: str
    reference: str  # before a payment's reference, e.g. a card payment id
    unsynced: str
    auth_code: str  # before the issuer's authorisation code of a card payment
    # How a card was read (CardResult.entry_mode says it in English: see entry()).
    contactless: str
    contactless_magstripe: str
    chip: str
    swiped: str
    swiped_fallback: str  # swiped because the chip could not be read

    def method(self, method: PaymentMethod) -> str:
        """The name of a payment method."""
        match method:
            case PaymentMethod.CASH:
                return self.cash
            case PaymentMethod.CARD:
                return self.card
            case PaymentMethod.OTHER:
                return self.other
            case _:
                assert_never(method)

    def entry(self, mode: str) -> str:
        """How the card was read, in this language; `mode` is CardResult.entry_mode's English
        words ("Contactless"), and words not known here print as given."""
        known = {
            "contactless": self.contactless,
            "contactless (magstripe)": self.contactless_magstripe,
            "chip": self.chip,
            "swiped": self.swiped,
            "swiped (chip failed)": self.swiped_fallback,
        }
        return known.get(mode.strip().casefold(), mode)

    def included(self, tax: str) -> str:
        """A tax line's label when the prices include the tax ("VAT 20% (included)")."""
        return self.tax_included.replace("{tax}", tax)


ENGLISH = ReceiptWords(
    order="Order",
    date="Date",
    cashier="Cashier",
    subtotal="Subtotal",
    discount="Discount",
    tax="Tax",
    tax_included="{tax} (included)",
    total="TOTAL",
    cash="Cash",
    card="Card",
    other="Other",
    change="Change",
    reference="Ref",
    unsynced="NOT YET SYNCED",
    auth_code="Auth code",
    contactless="Contactless",
    contactless_magstripe="Contactless (magstripe)",
    chip="Chip",
    swiped="Swiped",
    swiped_fallback="Swiped (chip failed)",
)

GERMAN = ReceiptWords(
    order="Bestellung",
    date="Datum",
    cashier="Kassierer",
    subtotal="Zwischensumme",
    discount="Rabatt",
    tax="Steuer",
    tax_included="inkl. {tax}",
    total="SUMME",
    cash="Bar",
    card="Karte",
    other="Sonstige",
    change="Rückgeld",
    reference="Ref.",
    unsynced="NOCH NICHT SYNCHRONISIERT",
    auth_code="Genehmigungs-Nr.",
    contactless="Kontaktlos",
    contactless_magstripe="Kontaktlos (Magnetstreifen)",
    chip="Chip",
    swiped="Magnetstreifen",
    swiped_fallback="Magnetstreifen (Chip-Fehler)",
)

FRENCH = ReceiptWords(
    order="Commande",
    date="Date",
    cashier="Caissier",
    subtotal="Sous-total",
    discount="Remise",
    tax="Taxe",
    tax_included="{tax} incluse",
    total="TOTAL",
    cash="Espèces",
    card="Carte",
    other="Autre",
    change="Monnaie rendue",
    reference="Réf.",
    unsynced="PAS ENCORE SYNCHRONISÉ",
    auth_code="N° d'autorisation",
    contactless="Sans contact",
    contactless_magstripe="Sans contact (piste)",
    chip="Puce",
    swiped="Piste magnétique",
    swiped_fallback="Piste (puce illisible)",
)

SPANISH = ReceiptWords(
    order="Pedido",
    date="Fecha",
    cashier="Cajero",
    subtotal="Subtotal",
    discount="Descuento",
    tax="Impuesto",
    tax_included="{tax} incluido",
    total="TOTAL",
    cash="Efectivo",
    card="Tarjeta",
    other="Otro",
    change="Cambio",
    reference="Ref.",
    unsynced="AÚN NO SINCRONIZADO",
    auth_code="Cód. autorización",
    contactless="Sin contacto",
    contactless_magstripe="Sin contacto (banda)",
    chip="Chip",
    swiped="Banda magnética",
    swiped_fallback="Banda (fallo del chip)",
)

ITALIAN = ReceiptWords(
    order="Ordine",
    date="Data",
    cashier="Cassiere",
    subtotal="Subtotale",
    discount="Sconto",
    tax="Imposta",
    tax_included="{tax} inclusa",
    total="TOTALE",
    cash="Contanti",
    card="Carta",
    other="Altro",
    change="Resto",
    reference="Rif.",
    unsynced="NON ANCORA SINCRONIZZATO",
    auth_code="Cod. autorizzazione",
    contactless="Contactless",
    contactless_magstripe="Contactless (banda)",
    chip="Chip",
    swiped="Banda magnetica",
    swiped_fallback="Banda (chip illeggibile)",
)

DUTCH = ReceiptWords(
    order="Bestelling",
    date="Datum",
    cashier="Kassier",
    subtotal="Subtotaal",
    discount="Korting",
    tax="Belasting",
    tax_included="incl. {tax}",
    total="TOTAAL",
    cash="Contant",
    card="Kaart",
    other="Overig",
    change="Wisselgeld",
    reference="Ref.",
    unsynced="NOG NIET GESYNCHRONISEERD",
    auth_code="Autorisatiecode",
    contactless="Contactloos",
    contactless_magstripe="Contactloos (magneetstrip)",
    chip="Chip",
    swiped="Magneetstrip",
    swiped_fallback="Magneetstrip (chip mislukt)",
)

PORTUGUESE = ReceiptWords(
    order="Pedido",
    date="Data",
    cashier="Operador",
    subtotal="Subtotal",
    discount="Desconto",
    tax="Imposto",
    tax_included="{tax} incluído",
    total="TOTAL",
    cash="Dinheiro",
    card="Cartão",
    other="Outro",
    change="Troco",
    reference="Ref.",
    unsynced="AINDA NÃO SINCRONIZADO",
    auth_code="Cód. autorização",
    contactless="Sem contacto",
    contactless_magstripe="Sem contacto (banda)",
    chip="Chip",
    swiped="Banda magnética",
    swiped_fallback="Banda (falha do chip)",
)

# By ISO 639-1 language code, as babel's Locale.language gives it.
WORDS = MappingProxyType(
    {
        "en": ENGLISH,
        "de": GERMAN,
        "fr": FRENCH,
        "es": SPANISH,
        "it": ITALIAN,
        "nl": DUTCH,
        "pt": PORTUGUESE,
    }
)


@functools.cache
def receipt_words(locale: str) -> ReceiptWords:
    """The words for a shop in `locale` ("de_DE", "fr_CA"): its language's, else English.

    Raises ValueError, naming the locale, when it is not a locale at all.
    """
    try:
        language = Locale.parse(locale).language
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown shop locale {locale!r} (expected a name such as de_DE)") from exc
    return WORDS.get(language, ENGLISH)
