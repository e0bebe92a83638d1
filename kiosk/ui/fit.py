"""Fitting a product name into a few lines of a narrow button, cut at a word with an ellipsis."""

from __future__ import annotations

import textwrap

EM = 0.5  # a Roboto letter's average width, in font sizes


def fit_lines(text: str, width: float, font_size: float, lines: int = 2) -> str:
    """`text` wrapped at `width` pixels into at most `lines` lines, the last one ending in "…"
    when the rest did not fit; widths are estimated from the font size."""
    per_line = max(int(width / (font_size * EM)), 2)
    wrapped = textwrap.wrap(text, per_line) or [""]
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    # The last line takes what is left, cut mid-word if need be: "Sunrise Darjeel…" says more
    # than "Sunrise…".
    rest = " ".join(wrapped[lines - 1 :])
    return "\n".join([*wrapped[: lines - 1], rest[: per_line - 1].rstrip() + "…"])
