"""The demo's image printer: real PNGs, the receipt's text beside them, and its faults."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from kiosk.hardware import receipt_image
from kiosk.hardware.base import PrinterError, PrinterState, ReceiptPrinter
from kiosk.hardware.receipt_image import ImagePrinter, find_font
from tests.hardware.receipts import a_receipt


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def dark_pixels(path: Path) -> int:
    with Image.open(path) as image:
        histogram = image.convert("L").histogram()
    return sum(histogram[:128])


@pytest.mark.parametrize(("width", "pixels"), [(48, 576), (32, 384)])
async def test_a_receipt_becomes_a_png_and_its_text(
    tmp_path: Path, width: int, pixels: int
) -> None:
    printer = ImagePrinter(tmp_path / "receipts")
    assert isinstance(printer, ReceiptPrinter)
    receipt = a_receipt(width=width)
    await printer.print_receipt(receipt)
    path = tmp_path / "receipts" / "POS-00001.png"
    assert printer.last_path == path
    assert printer.paths == [path]
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width == pixels
        assert pixels < image.height < 4000  # a receipt's length, not a blank page or a banner
    assert dark_pixels(path) > 2000  # text was drawn
    assert path.with_suffix(".txt").read_text(encoding="utf-8") == receipt.text()


async def test_each_receipt_gets_its_own_file(tmp_path: Path) -> None:
    printer = ImagePrinter(tmp_path)
    await printer.print_receipt(a_receipt("POS-00001"))
    await printer.print_receipt(a_receipt("POS-00002"))
    await printer.print_receipt(a_receipt("../../etc/x"))  # never outside the folder
    assert [p.name for p in printer.paths] == ["POS-00001.png", "POS-00002.png", "etc_x.png"]
    assert all(p.parent == tmp_path and p.is_file() for p in printer.paths)


async def test_larger_text_means_more_ink(tmp_path: Path) -> None:
    # The shop name and total are LARGE and the offline mark BOLD: they take more dark pixels.
    plain, marked = ImagePrinter(tmp_path / "a"), ImagePrinter(tmp_path / "b")
    await plain.print_receipt(a_receipt())
    await marked.print_receipt(a_receipt(offline=True))
    assert plain.last_path is not None
    assert marked.last_path is not None
    assert dark_pixels(marked.last_path) > dark_pixels(plain.last_path)


def test_kivys_monospace_font_is_found_without_importing_kivy() -> None:
    font = find_font()
    assert font is not None
    assert font.name == "RobotoMono-Regular.ttf"
    assert font.is_file()
    # In a fresh interpreter: this test process may have imported kivy for other tests.
    probe = (
        "import sys; from kiosk.hardware.receipt_image import find_font; "
        "assert find_font() is not None; print(sorted(m for m in sys.modules if 'kivy' in m))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


async def test_without_the_font_pillows_own_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(receipt_image, "find_font", lambda: None)
    printer = ImagePrinter(tmp_path)
    await printer.print_receipt(a_receipt())
    assert printer.last_path is not None
    assert dark_pixels(printer.last_path) > 500


async def test_not_ready_refuses_and_writes_nothing(tmp_path: Path) -> None:
    printer = ImagePrinter(tmp_path)
    printer.set_state(PrinterState.PAPER_OUT)
    assert (await printer.status()).state is PrinterState.PAPER_OUT
    with pytest.raises(PrinterError, match="The printer is out of paper"):
        await printer.print_receipt(a_receipt())
    with pytest.raises(PrinterError, match="out of paper"):
        await printer.open_drawer()
    assert (printer.paths, printer.drawer_opened, files(tmp_path)) == ([], 0, [])


async def test_an_unwritable_folder_is_a_printer_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    printer = ImagePrinter(blocker / "receipts")
    with pytest.raises(PrinterError, match="could not be saved"):
        await printer.print_receipt(a_receipt())
    assert printer.paths == []


async def test_the_drawer_is_counted_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    printer = ImagePrinter(tmp_path)
    with caplog.at_level(logging.INFO, logger="kiosk.hardware.receipt_image"):
        await printer.open_drawer()
        await printer.open_drawer()
    assert printer.drawer_opened == 2
    assert sum("drawer opened" in r.getMessage() for r in caplog.records) == 2


async def test_the_qr_code_carries_the_order_reference(tmp_path: Path) -> None:
    import qrcode

    printer = ImagePrinter(tmp_path / "receipts")
    receipt = a_receipt(width=48)
    await printer.print_receipt(receipt)
    want = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    want.add_data(receipt.qr_data)
    want.make(fit=True)
    code, box = receipt_image.qr_code(receipt.qr_data, 160)
    assert box >= 2  # at least two dots a module: a phone or scanner reads it off paper
    with Image.open(tmp_path / "receipts" / "POS-00001.png") as image:
        page = image.convert("L")
    left = (page.width - code.width) // 2 + receipt_image.QUIET_MODULES * box

    def dark(x: int, y: int) -> bool:
        return int(page.getpixel((x, y))) < 128

    # The code's top edge: the first row where the top-left finder's 7 dark modules run.
    first_y = next(y for y in range(page.height) if all(dark(left + x, y) for x in range(7 * box)))
    n = want.modules_count
    got = [
        [dark(left + c * box + box // 2, first_y + r * box + box // 2) for c in range(n)]
        for r in range(n)
    ]
    assert got == want.modules  # module by module, the QR code of the receipt's reference
