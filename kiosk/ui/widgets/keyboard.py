"""The on-screen keyboard (the counter has no keyboard): letters, digits and what emails need."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

from kiosk.ui import theme
from kiosk.ui.widgets.basics import PosButton
from kiosk.ui.widgets.sheet import Sheet

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl@", "zxcvbnm.-_")
SYMBOLS = ":/?=&+#!%*"  # with symbols=True: what web addresses and keys need
SHIFT = "Shift"


class Keyboard(BoxLayout):
    """Calls `typed(new_text)` on every key; `done()` when the cashier taps Done. With `symbols`,
    a row of the signs web addresses use and a Shift key for capitals (keys, passwords)."""

    def __init__(
        self,
        th: theme.Theme,
        *,
        typed: Callable[[str], None],
        done: Callable[[], None],
        text: str = "",
        symbols: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(orientation="vertical", spacing=th.pad, **kw)
        self.text = text
        self._typed = typed
        self.shifted = False
        self._letters: list[PosButton] = []
        for row in (*ROWS, SYMBOLS) if symbols else ROWS:
            line = BoxLayout(spacing=th.pad, size_hint_y=None, height=th.row)
            for ch in row:
                key = PosButton(text=ch, font_size=th.font, on_release=lambda b: self.key(b.text))
                line.add_widget(key)
                if ch.isalpha():
                    self._letters.append(key)
            self.add_widget(line)
        last = BoxLayout(spacing=th.pad, size_hint_y=None, height=th.row)
        if symbols:
            last.add_widget(
                PosButton(text=SHIFT, font_size=th.font, size_hint_x=1.5, on_release=self._shift)
            )
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
        rows = len(self.children)
        self.height = rows * th.row + (rows - 1) * th.pad
        self.size_hint_y = None

    def _shift(self, button: PosButton) -> None:
        self.shifted = not self.shifted
        button.tone = theme.ACCENT if self.shifted else theme.TILE
        for key in self._letters:
            key.text = key.text.upper() if self.shifted else key.text.lower()

    def key(self, char: str) -> None:
        self.set_text(self.text + char)

    def set_text(self, text: str) -> None:
        self.text = text
        self._typed(text)


def keyboard_sheet(
    th: theme.Theme, label: str, text: str, typed: Callable[[str], None]
) -> ModalView:
    """The on-screen keyboard along the bottom, its title `label: what is typed`; `typed` gets
    the text after every key, and the keyboard's Done closes it."""
    sheet = Sheet(
        th,
        f"{label}: {text}",
        back="",
        size_hint=(1, None),
        height=6 * th.row + 10 * th.pad,
        pos_hint={"y": 0},
    )

    def on_text(new: str) -> None:
        sheet.title.text = f"{label}: {new}"
        typed(new)

    sheet.add(Keyboard(th, typed=on_text, done=sheet.dismiss, text=text))
    sheet.open()
    return sheet
