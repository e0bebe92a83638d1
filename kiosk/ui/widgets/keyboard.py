"""The on-screen keyboard (the counter has no keyboard): letters, digits and what emails need."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.ui import theme
from kiosk.ui.widgets.basics import PosButton

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl@", "zxcvbnm.-_")


class Keyboard(BoxLayout):
    """Calls `typed(new_text)` on every key; `done()` when the cashier taps Done."""

    def __init__(
        self,
        th: theme.Theme,
        *,
        typed: Callable[[str], None],
        done: Callable[[], None],
        text: str = "",
        **kw: Any,
    ) -> None:
        super().__init__(orientation="vertical", spacing=th.pad, **kw)
        self.text = text
        self._typed = typed
        for row in ROWS:
            line = BoxLayout(spacing=th.pad, size_hint_y=None, height=th.row)
            for ch in row:
                line.add_widget(
                    PosButton(text=ch, font_size=th.font, on_release=lambda _b, c=ch: self.key(c))
                )
            self.add_widget(line)
        last = BoxLayout(spacing=th.pad, size_hint_y=None, height=th.row)
        last.add_widget(
            PosButton(
                text="Clear",
                font_size=th.font,
                size_hint_x=1.5,
                on_release=lambda _b: self.set_text(""),
            )
        )
        last.add_widget(
            PosButton(
                text="Space", font_size=th.font, size_hint_x=4, on_release=lambda _b: self.key(" ")
            )
        )
        last.add_widget(
            PosButton(
                text=theme.BACKSPACE,
                font_size=th.font,
                size_hint_x=1.5,
                on_release=lambda _b: self.set_text(self.text[:-1]),
            )
        )
        last.add_widget(
            PosButton(
                text="Done",
                font_size=th.font,
                size_hint_x=2,
                tone=theme.ACCENT,
                on_release=lambda _b: done(),
            )
        )
        self.add_widget(last)
        self.height = 5 * th.row + 4 * th.pad
        self.size_hint_y = None

    def key(self, char: str) -> None:
        self.set_text(self.text + char)

    def set_text(self, text: str) -> None:
        self.text = text
        self._typed(text)
