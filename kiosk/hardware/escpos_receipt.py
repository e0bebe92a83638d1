"""A Receipt written to an ESC/POS printer through python-escpos: logo, lines, QR code, cut.

Characters: python-escpos's magic encoder picks, per character, the first code page of its
profile that has it, so "€" comes out as ISO 8859-7 (Greek, ESC t 15), which many printers do
not have, and a receipt hops between tables. So one fixed table is selected (PC858 by default:
PC850 with the euro sign, on Epson and its clones) and every character is made to fit it.
"""

from __future__ import annotations

import logging
import textwrap
import unicodedata
from pathlib import Path

from escpos.constants import QR_ECLEVEL_M  # type: ignore[import-untyped,unused-ignore]
from escpos.escpos import Escpos  # type: ignore[import-untyped,unused-ignore]
from PIL import Image, ImageOps

from kiosk.core.receipt import LineStyle, Receipt

log = logging.getLogger(__name__)

DEFAULT_CODEPAGE = "CP858"
DOTS_PER_COLUMN = 12  # font A on a 203 dpi head: 48 columns on 576 dots (80 mm), 32 on 384 (58 mm)
DPI = 203

# Typography a receipt printer's code pages do not have, as near as ASCII gets.
_PLAIN: dict[str, str] = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": ".",  # one column for one: the line was laid out by characters
    # letters with a stroke have no accent-free decomposition
    "\u0141": "L",
    "\u0142": "l",
    "\u0110": "D",
    "\u0111": "d",
    "\u0126": "H",
    "\u0127": "h",
    "\u0131": "i",
}


def write_receipt(
    p: Escpos,
    receipt: Receipt,
    *,
    width: int,
    logo: Path | None,
    cut: bool = True,
    codepage: str = DEFAULT_CODEPAGE,
) -> None:
    """Print `receipt` on paper `width` columns wide: the logo (centred), every line in its
    style, a blank line, the QR code of `receipt.qr_data` with that text under it, the cut.

    Raises ValueError when the receipt is wider than the paper or the code page is unknown;
    the printer's own errors (OSError, escpos errors) pass through.
    """
    if receipt.width > width:
        raise ValueError(
            f"receipt {receipt.reference} is laid out for {receipt.width} columns, "
            f"but the paper has {width}"
        )
    codepage = codepage.upper()
    if codepage not in p.profile.get_code_pages():
        raise ValueError(f"code page {codepage!r} is not one the printer profile knows")
    dots = width * DOTS_PER_COLUMN
    image = _logo(logo, dots) if logo is not None else None
    _know_paper_width(p, dots)

    p.hw("INIT")  # ESC @: plain text, left aligned, the printer's default code page
    p.magic.encoding = None  # ...so python-escpos must select our table again, even if it had
    p.charcode(codepage)  # ESC t n, and no switching after it
    if image is not None:
        p.image(image, impl="bitImageRaster")  # GS v 0; already as wide as the paper
    style = LineStyle.NORMAL
    for line in receipt.lines:
        if line.style is not style:
            _set_style(p, line.style)
            style = line.style
        p.textln(_printable(p, line.text, codepage))
    if style is not LineStyle.NORMAL:
        _set_style(p, LineStyle.NORMAL)
    p.ln()
    if receipt.qr_data:
        p.set(align="center")  # ESC a 1 centres the native QR symbol too
        p.qr(receipt.qr_data, ec=QR_ECLEVEL_M, size=6 if width >= 48 else 5, native=True)
        p.set(align="left")
        for row in textwrap.wrap(receipt.qr_data, width) or [""]:
            p.textln(_printable(p, row.center(width).rstrip(), codepage))
    if cut:
        p.cut()  # feeds past the cutter (ESC d 6), then GS V 0


def _set_style(p: Escpos, style: LineStyle) -> None:
    if style is LineStyle.LARGE:
        p.set(double_width=True, double_height=True, bold=True)
    else:
        p.set(normal_textsize=True, bold=style is LineStyle.BOLD)


def _printable(p: Escpos, text: str, codepage: str) -> str:
    """`text` with only characters `codepage` has: spaces of every kind become a space, curly
    quotes and dashes plain ones, letters missing from the table lose their accent or stroke,
    and anything else is "?" (one column each, so the layout holds)."""
    if text.isascii():
        return text
    out = []
    for char in text:
        if char.isascii() or p.magic.encoder.can_encode(codepage, char):
            out.append(char)
        elif unicodedata.category(char) == "Zs":
            out.append(" ")
        elif char in _PLAIN:
            out.append(_PLAIN[char])
        else:
            base = unicodedata.normalize("NFKD", char)[:1]
            fits = base and (base.isascii() or p.magic.encoder.can_encode(codepage, base))
            out.append(base if fits and len(base) == 1 else "?")
    return "".join(out)


def _know_paper_width(p: Escpos, dots: int) -> None:
    """Tell the profile the paper's width when it does not know it: python-escpos prints a
    warning on stdout for every image otherwise (this profile object is this printer's own)."""
    data = p.profile.profile_data
    pixels = data.get("media", {}).get("width", {}).get("pixels")
    if isinstance(pixels, int):
        return
    media = {"dpi": DPI, "width": {"mm": 80 if dots >= 576 else 58, "pixels": dots}}
    p.profile.profile_data = {**data, "media": media}


def _logo(path: Path, dots: int) -> Image.Image | None:
    """The logo on white, scaled down to the paper if wider, centred on a strip `dots` wide;
    None (and a warning) when it cannot be read: a receipt without its logo beats none."""
    try:
        with Image.open(path) as source:
            source.load()
            picture = source.convert("RGBA")
    except (OSError, ValueError) as exc:
        log.warning("receipt logo %s could not be read, printing without it: %s", path, exc)
        return None
    if picture.width > dots:
        picture = ImageOps.contain(picture, (dots, picture.height))
    strip = Image.new("RGB", (dots, picture.height), "white")
    strip.paste(picture, ((dots - picture.width) // 2, 0), picture)
    return strip.convert("L")
