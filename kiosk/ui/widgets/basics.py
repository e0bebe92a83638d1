"""The app's building blocks: buttons and labels styled once, sized for fingers and arm's length."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.properties import ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label

from kiosk.ui import theme
from kiosk.ui.fit import fit_lines


class PosButton(Button):
    """A flat button; `tone` colours it (the accent for the one action that takes money)."""

    tone = ColorProperty(theme.TILE)
    role = StringProperty("")  # what the button does, for tests and screen readers of logs

    def __init__(self, *, lines: int = 0, detail: str = "", **kw: Any) -> None:
        # With `lines`, text longer than that many lines is cut with "…", never drawn over the
        # button's neighbours; `detail` goes on a line of its own under it, as it is.
        self._lines, self._full, self._detail = lines, str(kw.get("text", "")), detail
        kw.setdefault("background_normal", "")
        kw.setdefault("background_down", "")
        kw.setdefault("halign", "center")
        kw.setdefault("valign", "middle")
        if kw.get("text") == theme.BACKSPACE:
            kw.setdefault("font_name", theme.SYMBOL_FONT)
        super().__init__(**kw)
        self.background_color = self.tone
        self.bind(tone=self._recolour, disabled=self._recolour, size=self._wrap)
        self._wrap()

    def _recolour(self, *_: Any) -> None:
        r, g, b, a = self.tone
        self.background_color = (r, g, b, 0.45 if self.disabled else a)

    def fit(self, text: str, detail: str = "") -> None:
        """Show `text` cut to the button's `lines`, with `detail` on a line under it."""
        self._full, self._detail = text, detail
        self._wrap()

    def _wrap(self, *_: Any) -> None:
        width = max(self.width - 8, 0)
        self.text_size = (width, None)
        if self._lines:
            fitted = fit_lines(self._full, width, self.font_size, self._lines)
            self.text = f"{fitted}\n{self._detail}" if self._detail else fitted

    def on_press(self) -> None:
        r, g, b, a = self.tone
        self.background_color = (min(r + 0.15, 1), min(g + 0.15, 1), min(b + 0.15, 1), a)

    def on_release(self) -> None:
        self._recolour()


class PosLabel(Label):
    """A label that wraps to its width, left-aligned unless told otherwise."""

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("halign", "left")
        kw.setdefault("valign", "middle")
        kw.setdefault("color", theme.TEXT)
        super().__init__(**kw)
        self.bind(size=self._wrap)

    def _wrap(self, *_: Any) -> None:
        self.text_size = self.size


class Panel(BoxLayout):
    """A BoxLayout with a background colour."""

    fill = ColorProperty(theme.PANEL)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        with self.canvas.before:
            self._colour = Color(*self.fill)
            self._rect = Rectangle(pos=self.pos, size=self.size)
        self.bind(pos=self._redraw, size=self._redraw, fill=self._redraw)

    def _redraw(self, *_: Any) -> None:
        self._colour.rgba = self.fill
        self._rect.pos, self._rect.size = self.pos, self.size
