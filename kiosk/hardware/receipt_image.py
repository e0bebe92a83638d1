"""The demo's simulated printer: each receipt becomes a PNG (and a .txt) in a folder.

Drawn with Pillow in a monospace font, one character per column cell, so the receipt looks as a
thermal printer would print it: 12 px per column (576 px for 80 mm paper, 384 px for 58 mm).
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import logging
import re
import textwrap
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from kiosk.core.receipt import LineStyle, Receipt, ReceiptLine
from kiosk.hardware.base import (
    PrinterError,
    SettableStatus,
    check_ready,
)

log = logging.getLogger(__name__)

PX_PER_COLUMN = 12  # 48 columns on 576 dots (80 mm at 203 dpi), 32 on 384 (58 mm)
MARGIN = 8
QUIET_MODULES = 2  # white around the QR code, in modules: scanners need some
FONT_NAME = "RobotoMono-Regular.ttf"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def find_font() -> Path | None:
    """Kivy's bundled monospace font, found without importing kivy (its import opens a window
    provider and parses sys.argv)."""
    try:
        spec = importlib.util.find_spec("kivy")
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "data" / "fonts" / FONT_NAME
        if path.is_file():
            return path
    return None


@functools.cache
def _font(path: Path | None, cell: float) -> tuple[Font, float]:
    """A font whose characters fit `cell` pixels wide, and its line height."""
    if path is None:
        # Pillow's own font: proportional, but every character is still drawn in its own cell.
        fallback = ImageFont.load_default()
        return fallback, max(cell * 1.5, 12.0)
    probe = ImageFont.truetype(str(path), 100)
    size = max(6, int(cell * 100 / probe.getlength("M")))
    return ImageFont.truetype(str(path), size), size * 1.3


def image_path(folder: Path, reference: str) -> Path:
    """Where the image printer saves the receipt of order `reference` (its number, or its id)."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", reference).strip("_")
    return folder / f"{stem or 'receipt'}.png"


def render(receipt: Receipt, font_path: Path | None) -> Image.Image:
    """The receipt drawn on white paper, black text; LARGE lines at twice the size."""
    width_px = receipt.width * PX_PER_COLUMN
    cell = (width_px - 2 * MARGIN) / receipt.width
    font, line_h = _font(font_path, cell)
    large, large_h = _font(font_path, 2 * cell)
    qr_side = min(width_px // 3, 160)
    ref_rows = textwrap.wrap(receipt.qr_data, receipt.width) or [""]
    height = (
        2 * MARGIN
        + sum(large_h if ln.style is LineStyle.LARGE else line_h for ln in receipt.lines)
        + line_h  # a blank line before the code
        + qr_side
        + line_h * len(ref_rows)
    )
    image = Image.new("L", (width_px, int(height) + 1), 255)
    draw = ImageDraw.Draw(image)
    y = float(MARGIN)
    for line in receipt.lines:
        big = line.style is LineStyle.LARGE
        _draw_line(draw, line, y, large if big else font, 2 * cell if big else cell)
        y += large_h if big else line_h
    y += line_h
    code, _ = qr_code(receipt.qr_data, qr_side)
    image.paste(code, ((width_px - code.width) // 2, int(y)))
    y += qr_side
    for row in ref_rows:
        _draw_line(draw, ReceiptLine(row.center(receipt.width).rstrip()), y, font, cell)
        y += line_h
    return image


def _draw_line(
    draw: ImageDraw.ImageDraw, line: ReceiptLine, y: float, font: Font, cell: float
) -> None:
    bold = line.style is not LineStyle.NORMAL
    for col, char in enumerate(line.text):
        if char.isspace():
            continue
        x = MARGIN + col * cell
        draw.text((x, y), char, fill=0, font=font)
        if bold:  # overstrike one pixel right, as impact and thermal printers embolden
            draw.text((x + 1, y), char, fill=0, font=font)


def qr_code(data: str, side: int) -> tuple[Image.Image, int]:
    """The order reference's QR code at most `side` pixels square (whole pixels per module, so
    it stays sharp), and the pixels per module; a 2-module quiet zone."""
    qr = qrcode.QRCode(border=QUIET_MODULES, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(data)
    qr.make(fit=True)
    qr.box_size = max(1, side // (qr.modules_count + 2 * QUIET_MODULES))
    image = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
    return image, qr.box_size


class ImagePrinter(SettableStatus):
    """A ReceiptPrinter that saves each receipt as `<folder>/<number or id>.png` and `.txt`.

    A reprint overwrites the files; `paths` lists every print in order. The drawer is counted
    and logged. Status is READY unless `set_state` says otherwise.
    """

    def __init__(self, folder: Path, *, font_path: Path | None = None) -> None:
        self.folder = Path(folder)
        self.paths: list[Path] = []
        self.drawer_opened = 0
        self._font_path = font_path if font_path is not None else find_font()
        super().__init__()
        self._lock = asyncio.Lock()

    @property
    def last_path(self) -> Path | None:
        return self.paths[-1] if self.paths else None

    async def print_receipt(self, receipt: Receipt) -> None:
        check_ready(self._status)
        async with self._lock:  # one receipt at a time, as on paper
            # Drawing and saving take tens of milliseconds: off the loop that draws the screen.
            path = await asyncio.to_thread(self._save, receipt)
        self.paths.append(path)
        log.info("receipt %s printed to %s", receipt.reference, path)

    def _save(self, receipt: Receipt) -> Path:
        path = image_path(self.folder, receipt.reference)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            render(receipt, self._font_path).save(path, format="PNG")
            path.with_suffix(".txt").write_text(receipt.text(), encoding="utf-8")
        except OSError as exc:
            raise PrinterError(
                f"The receipt could not be saved in {self.folder}: {exc.strerror or exc}"
            ) from exc
        return path

    async def open_drawer(self) -> None:
        check_ready(self._status)
        self.drawer_opened += 1
        log.info("drawer opened (%d times so far)", self.drawer_opened)
