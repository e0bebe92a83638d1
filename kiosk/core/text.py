"""Text from a store made fit to keep, show and print: limits, and no control or bidi characters.

Pure functions, platform-neutral: every connector's mapping calls them on the text it reads, so
the rules are the same whichever store a catalog comes from.

Two kinds of field, two rules when one is too long:
- display text (names, attribute values, a company) is shortened with an ellipsis: the merchant
  wants the product sellable, and the first 400 characters of a name say what it is;
- identifiers and contact details (SKU, barcode, slug, email, phone) cannot be shortened: a
  clipped SKU matches nothing (or the wrong thing), so the caller refuses the object instead.
"""

from __future__ import annotations

import unicodedata

# Longest text the device keeps, in characters (code points).
NAME_MAX = 400  # a product's or variation's name: far more than a button or a receipt line shows
SKU_MAX = 100  # WooCommerce's own product lookup table holds SKUs in a varchar(100)
BARCODE_MAX = 100  # a GTIN is at most 14 digits; long Code 128 labels still fit, as SKUs do
LABEL_MAX = 200  # category, attribute, tax rate and person names: WordPress terms are varchar(200)
SLUG_MAX = 200  # category slugs and tax classes (WordPress term slugs are varchar(200))
EMAIL_MAX = 254  # the longest address SMTP can deliver to (RFC 5321's path limit less <>)
PHONE_MAX = 64  # an international number with an extension and punctuation is under 40
URL_MAX = 2048  # image addresses: past this, browsers and servers stop agreeing on them

ELLIPSIS = "\u2026"
_MAX_CLUSTER = 32  # longer than any real character sequence (a family emoji is 7 code points)

# Characters that mean a line break or a tab: the author meant some space, so one is kept.
_SPACES = "\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029"

# Invisible characters that change how the text around them is ordered or matched. Bidi embeddings
# (U+202A..U+202E) and isolates (U+2066..U+2069) can make a name read backwards on the screen and
# receipt; the marks (U+200E/F, U+061C), zero-width space, word joiner and BOM make two SKUs that
# look the same differ. ZWJ and ZWNJ (U+200D, U+200C) stay: emoji and several scripts need them.
_INVISIBLE = (
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff\ufff9\ufffa\ufffb"
)


def _table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # Every C0 and C1 control and DEL, then the few of them that mean whitespace.
    for code in (*range(0x20), *range(0x7F, 0xA0)):
        table[code] = None
    for ch in _SPACES:
        table[ord(ch)] = " "
    for ch in _INVISIBLE:
        table[ord(ch)] = None
    # JSON may carry lone surrogates ("\ud800"), which SQLite cannot store as UTF-8.
    for code in range(0xD800, 0xE000):
        table[code] = None
    table[0xFFFE] = table[0xFFFF] = None  # noncharacters, never text
    return table


_TABLE = _table()


def clean(text: str) -> str:
    """`text` on one line without control, bidi or other invisible characters, ends stripped."""
    if text.isascii() and text.isprintable():  # nearly every catalog string: nothing to remove
        return text.strip()
    return text.translate(_TABLE).strip()


def clip(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else its start and an ellipsis, `limit` in all."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    # Cut between whole characters: an accent or an emoji's joined parts cut off from what they
    # belong to would sit on the ellipsis. The back-off is bounded so that a run of a million marks
    # costs no more than a normal name.
    for _ in range(_MAX_CLUSTER):
        if cut <= 1 or not (_attaches(text[cut]) or text[cut - 1] == "\u200d"):
            break
        cut -= 1
    head = text[:cut]
    return head.rstrip() + ELLIPSIS


def too_long(text: str, limit: int) -> str:
    """Why `text` cannot be kept whole, or "" when it fits (for identifiers, which are refused)."""
    if len(text) <= limit:
        return ""
    return f"is {len(text):,} characters long, more than the {limit:,} the device keeps"


def _attaches(ch: str) -> bool:
    return ch == "\u200d" or unicodedata.category(ch)[0] == "M"
