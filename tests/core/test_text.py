"""Store text made fit to keep: controls and bidi characters out, display text within its limit."""

from __future__ import annotations

import pytest

from kiosk.core.text import ELLIPSIS, NAME_MAX, SKU_MAX, clean, clip, too_long


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("Mug", "Mug"),
        ("  Mug  ", "Mug"),
        ("Caf\u00e9 cr\u00e8me", "Caf\u00e9 cr\u00e8me"),
        # Bidi embeddings, overrides, isolates and marks: "Mug" must not read "guM" on a receipt.
        ("\u202eMug\u202c", "Mug"),
        ("\u202a\u202b\u202d\u2066\u2067\u2068\u2069Mug", "Mug"),
        ("\u200eMug\u200f\u061c", "Mug"),
        # Zero-width characters that make two SKUs that look alike differ, and a BOM.
        ("SKU\u200b-1\ufeff\u2060", "SKU-1"),
        # C0 and C1 controls, DEL, a lone surrogate and a noncharacter vanish...
        ("M\x00u\x07g\x1b[31m\x7f\x85\x9f\ud800\uffff", "Mug[31m"),
        # ...but a control that meant a break or a tab leaves a space.
        ("Mug\tLarge\nBlue\r\nRed\u2028Green", "Mug Large Blue  Red Green"),
        # Joiners that scripts and emoji need are kept.
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        ),
        (
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        ),
        ("\u202e\u200e\x00", ""),
    ],
)
def test_clean_keeps_visible_text_only(raw: str, kept: str) -> None:
    assert clean(raw) == kept


def test_clean_leaves_nothing_invisible_in_any_code_point_it_removes() -> None:
    every = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000)
    left = clean(every)
    assert not any(c in left for c in "\x00\x1f\x7f\x80\x9f\u200e\u200f\u202a\u202e\u2066\u2069")
    assert "\u200d" in left
    assert "A" in left
    assert "\u00e9" in left


def test_clip_keeps_text_that_fits_and_ends_long_text_with_an_ellipsis() -> None:
    assert clip("Mug", 3) == "Mug"
    clipped = clip("x" * 5_000_000, NAME_MAX)
    assert len(clipped) == NAME_MAX
    assert clipped == "x" * (NAME_MAX - 1) + ELLIPSIS
    assert clip("Blue mug extra", 10) == "Blue mug" + ELLIPSIS  # no space before the ellipsis


def test_clip_never_splits_an_accent_or_an_emoji_from_its_character() -> None:
    accented = "abcde\u0301fgh"  # "e" and a combining acute accent
    assert clip(accented, 6) == "abcd" + ELLIPSIS
    family = "ab\U0001f468\u200d\U0001f469\u200d\U0001f467z"
    assert clip(family, 6) == "ab" + ELLIPSIS
    # A run of marks far longer than any real sequence still costs a bounded back-off.
    marks = "a" + "\u0301" * 1_000_000
    assert len(clip(marks, NAME_MAX)) <= NAME_MAX


def test_too_long_says_why_for_identifiers_over_the_limit() -> None:
    assert too_long("A" * SKU_MAX, SKU_MAX) == ""
    why = too_long("A" * 5_000_000, SKU_MAX)
    assert why == "is 5,000,000 characters long, more than the 100 the device keeps"
