"""Sizes and colours for the three screens the counter ships with (7" 800x480 up to 1920x1080).

Every touch target is at least TOUCH_MIN pixels high; text is sized to be read at arm's length.
"""

from __future__ import annotations

from dataclasses import dataclass

BACKSPACE = "⌫"
SYMBOL_FONT = "DejaVuSans"  # ships with Kivy and has ⌫, which Roboto lacks
TOUCH_MIN = 48  # px: the smallest thing a finger has to hit


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    bar: int  # status bar height
    row: int  # button and list row height
    font: int  # body text
    small: int
    large: int  # totals
    huge: int  # change due
    cols: int  # product tiles per row
    rows: int  # rows of tiles per page
    cart_share: float  # of the width
    pad: int

    @property
    def page_size(self) -> int:
        return self.cols * self.rows


COMPACT = Theme(
    "800x480",
    bar=48,
    row=50,
    font=18,
    small=15,
    large=26,
    huge=56,
    cols=3,
    rows=2,
    cart_share=0.42,
    pad=4,
)
MEDIUM = Theme(
    "1280x800",
    bar=56,
    row=64,
    font=22,
    small=18,
    large=34,
    huge=80,
    cols=4,
    rows=3,
    cart_share=0.38,
    pad=6,
)
LARGE = Theme(
    "1920x1080",
    bar=64,
    row=72,
    font=26,
    small=20,
    large=42,
    huge=96,
    cols=5,
    rows=4,
    cart_share=0.34,
    pad=8,
)


def theme_for(width: int, height: int) -> Theme:
    """The theme for a window of this size (the 7" display is the smallest we draw for)."""
    if width >= 1800 and height >= 1000:
        return LARGE
    if width >= 1200 and height >= 720:
        return MEDIUM
    return COMPACT


def parse_size(text: str) -> tuple[int, int]:
    """ "800x480" -> (800, 480), with an error that says what is expected."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"window size {text!r} is not WIDTHxHEIGHT, e.g. 800x480") from None
    if w < 320 or h < 240:
        raise ValueError(f"window size {text!r} is too small (at least 320x240)")
    return w, h


# Colours (RGBA 0..1): dark surfaces, one accent for the action that takes money.
BG = (0.11, 0.12, 0.14, 1)
PANEL = (0.16, 0.17, 0.20, 1)
TILE = (0.22, 0.24, 0.28, 1)
ACCENT = (0.10, 0.55, 0.30, 1)  # Pay, Approve
DANGER = (0.75, 0.20, 0.18, 1)
WARN = (0.90, 0.62, 0.10, 1)
TEXT = (0.95, 0.95, 0.95, 1)
MUTED = (0.70, 0.72, 0.76, 1)
