"""Receipts in ESC/POS bytes: python-escpos's own Dummy printer collects them, the decoder reads
them back. Lines, styles, the code page, the QR code, the logo, the cut; and the decoder's
strictness."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from escpos.printer import Dummy  # type: ignore[import-untyped,unused-ignore]
from PIL import Image, ImageDraw

from kiosk.core.cart import Cart
from kiosk.core.discount import Discount
from kiosk.core.models import PaymentMethod, Product, ProductKind, ShopSettings, TaxRate
from kiosk.core.money import Money
from kiosk.core.receipt import LineStyle, Receipt, ReceiptLine, build_receipt
from kiosk.core.tender import Tender
from kiosk.hardware.escpos_receipt import write_receipt
from tests.hardware import escpos_decoder as d
from tests.hardware.escpos_decoder import DecodeError, decode
from tests.hardware.receipts import a_receipt

MWST = TaxRate("2", Decimal("19.0000"), "MwSt.", country="DE")
CAFE = ShopSettings("EUR", locale="de_DE", name="Café Müller", country="DE")


def german_receipt(width: int) -> Receipt:
    """Accents, € amounts, tax, a discount, a card payment and the offline mark."""
    cart = Cart(CAFE, (MWST,), order_id="6f1c2a4e-1111-4222-8333-944455556666")
    cart.add(Product("1", ProductKind.SIMPLE, "Crème brûlée", Money(450, "EUR")), 2)
    cart.add(Product("2", ProductKind.SIMPLE, "Grüner Tee – groß", Money(1290, "EUR")))
    cart.set_line_discount(1, Discount.percent(Decimal(10)))
    order = cart.checkout(
        [Tender(PaymentMethod.CARD, cart.totals().total, "pi_123", "visa", "4242")],
        now=datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
        cashier="Jürgen",
        offline=True,
    )
    order = dataclasses.replace(order, number="POS-00042")
    return build_receipt(order, CAFE, width=width, footer=("Danke schön! £ ok",))


def printed(receipt: Receipt, width: int | None = None, **kw: object) -> d.Decoded:
    p = Dummy()
    write_receipt(p, receipt, width=width or receipt.width, **kw)  # type: ignore[arg-type]
    return decode(p.output)


def receipt_part(out: d.Decoded, receipt: Receipt) -> list[d.Line]:
    return out.lines[: len(receipt.lines)]


@pytest.mark.parametrize("width", [48, 32])
def test_every_line_prints_in_order_and_in_its_style(width: int) -> None:
    receipt = german_receipt(width)
    out = printed(receipt, logo=None)
    lines = receipt_part(out, receipt)
    # the en dash has no place in PC858: it prints as a hyphen, all else as it was laid out
    assert [ln.text for ln in lines] == [ln.text.replace("–", "-") for ln in receipt.lines]
    for sent, got in zip(receipt.lines, lines, strict=True):
        assert got.large == (sent.style is LineStyle.LARGE), sent
        assert got.bold == (sent.style is not LineStyle.NORMAL), sent
        assert got.align == "left"  # the layout is in the spaces
        assert got.columns <= width
    # the bits a German customer reads, as they were meant
    text = "\n".join(out.texts)
    for words in ("Café Müller", "Crème brûlée", "Grüner Tee", "€", "Jürgen", "schön", "£"):
        assert words in text
    assert "NOCH NICHT SYNCHRONISIERT" in text
    assert any(ln.large for ln in lines)
    assert any(ln.bold and not ln.large for ln in lines)


def test_the_text_is_in_one_code_page_that_has_the_shops_characters() -> None:
    out = printed(german_receipt(48), logo=None)
    assert out.code_pages == [d.CodePage(19, "cp858")]  # PC858: PC850 with the euro sign
    assert isinstance(out.events[0], d.Init)  # ESC @ first: a known state, whatever came before


def test_another_code_page_can_be_chosen() -> None:
    out = printed(german_receipt(48), logo=None, codepage="cp1252")
    assert out.code_pages == [d.CodePage(16, "cp1252")]
    assert "Crème brûlée" in "\n".join(out.texts)


def test_characters_missing_from_the_code_page_keep_the_layout() -> None:
    # narrow no-break space (French thousands), a Polish ł, curly quotes, an emoji
    line = "1\u202f234,56\xa0€ Łódź “ok” …\U0001f600"
    receipt = Receipt(48, (ReceiptLine(line),), "X", "x")
    (got,) = printed(receipt, logo=None).lines[:1]
    assert got.text == '1 234,56\xa0€ Lódz "ok" .?'
    assert len(got.text) == len(line)


@pytest.mark.parametrize(("width", "size"), [(48, 6), (32, 5)])
def test_the_qr_code_carries_the_order_reference_and_the_paper_is_cut(
    width: int, size: int
) -> None:
    receipt = a_receipt("POS-00007", width=width)
    out = printed(receipt, logo=None)
    assert out.qr_codes == [d.QrCode(receipt.qr_data, size, "M", "center")]
    after = out.events[out.events.index(out.qr_codes[0]) + 1 :]
    reference = "".join(ln.text.strip() for ln in after if isinstance(ln, d.Line))
    assert reference == receipt.qr_data  # printed under the code, for a reader without a camera
    assert out.cuts == [d.Cut(partial=False)]
    assert out.events[-1] == d.Cut(partial=False)  # nothing after the cut
    assert d.Feed(6) in out.events  # the last line clears the cutter


def test_no_cut_when_asked() -> None:
    out = printed(a_receipt(), logo=None, cut=False)
    assert out.cuts == []
    assert out.qr_codes


def make_logo(path: Path, size: tuple[int, int]) -> Path:
    image = Image.new("RGBA", size, (0, 0, 0, 0))  # transparent: must print as white
    ImageDraw.Draw(image).rectangle((0, 0, size[0] - 1, size[1] - 1), fill="black")
    image.save(path)
    return path


@pytest.mark.parametrize(("width", "dots"), [(48, 576), (32, 384)])
def test_the_logo_prints_first_centred_on_the_paper(tmp_path: Path, width: int, dots: int) -> None:
    logo = make_logo(tmp_path / "logo.png", (200, 60))
    out = printed(a_receipt(width=width), logo=logo)
    (image,) = out.images
    assert out.events.index(image) < out.events.index(out.lines[0])
    assert (image.width, image.height) == (dots, 60)
    left, right = image.inked_columns() or (0, 0)
    assert right - left + 1 == 200
    assert abs(left - (dots - 1 - right)) <= 1  # as much white on either side


def test_a_logo_wider_than_the_paper_is_scaled_to_fit(tmp_path: Path) -> None:
    logo = make_logo(tmp_path / "wide.png", (1152, 100))
    (image,) = printed(a_receipt(width=32), logo=logo).images
    assert (image.width, image.height) == (384, 33)  # 1152 x 100 at a third
    assert image.inked_columns() == (0, 383)


def test_a_tall_logo_prints_in_bands(tmp_path: Path) -> None:
    logo = make_logo(tmp_path / "tall.png", (100, 2000))  # python-escpos sends 960 rows a time
    images = printed(a_receipt(), logo=logo).images
    assert sum(image.height for image in images) == 2000
    assert all(image.inked_columns() == (238, 337) for image in images)


def test_an_unreadable_logo_is_left_out(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bad = tmp_path / "logo.png"
    bad.write_text("not a picture")
    with caplog.at_level(logging.WARNING):
        out = printed(a_receipt(), logo=bad)
    assert out.images == []
    assert out.texts[0].strip() == "Corner Shop"
    assert str(bad) in caplog.text


def test_a_receipt_wider_than_the_paper_is_refused() -> None:
    with pytest.raises(ValueError, match="laid out for 48 columns, but the paper has 32"):
        printed(a_receipt(width=48), width=32, logo=None)
    with pytest.raises(ValueError, match="code page 'KLINGON'"):
        printed(a_receipt(), logo=None, codepage="klingon")


def test_the_drawer_pulse_decodes() -> None:
    p = Dummy()
    p.cashdraw(2)
    p.cashdraw([27, 112, 1, 60, 60])
    assert decode(p.output).pulses == [d.Pulse(2, 50, 50), d.Pulse(5, 60, 60)]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"\x1b\x4d\x01", "unknown command ESC 0x4d"),  # font B: we never send it
        (b"\x1dB\x01", "unknown command GS 0x42"),
        (b"\x1bt\x63", "ESC t 99"),
        (b"abc", "end inside a line"),
        (b"\x1dv0\x00\x02\x00\x02\x00\xff", "inside GS v 0 image data"),
        (b"ok\x07\n", "unknown control byte 0x07"),
        (b"a\x1b!\x08b\n", "style changes inside a line"),
    ],
)
def test_the_decoder_refuses_what_it_does_not_understand(data: bytes, why: str) -> None:
    with pytest.raises(DecodeError, match=why):
        decode(data)


def test_the_decoder_reads_code_page_switches_inside_a_line() -> None:
    out = decode(b"\x1bt\x00caf\x82 \x1bt\x13\xd5 \x9c\n")
    assert out.texts == ["café € £"]
    assert [c.codec for c in out.code_pages] == ["cp437", "cp858"]
