"""A full-height sheet over the sale screen: a title, its content, and a way back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.ui import theme
from kiosk.ui.widgets.basics import Panel, PosButton, PosLabel


class Sheet(ModalView):
    def __init__(
        self,
        th: theme.Theme,
        title: str,
        *,
        back: str = "Back",
        on_back: Callable[[], None] | None = None,
        **kw: Any,
    ) -> None:
        kw.setdefault("size_hint", (0.96, 0.96))
        super().__init__(auto_dismiss=False, background_color=(0, 0, 0, 0.6), **kw)
        self._anim_duration = 0  # a till opens and closes sheets at once: no fade to wait for
        self.th = th
        self.box = Panel(orientation="vertical", padding=th.pad * 2, spacing=th.pad)
        head = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
        self.title = PosLabel(text=title, font_size=th.large, bold=True)
        head.add_widget(self.title)
        self.back = PosButton(
            text=back,
            font_size=th.font,
            size_hint_x=None,
            width=th.row * 2.5,
            on_release=lambda _b: (on_back or self.dismiss)(),
        )
        self.back.role = "back"
        if back:  # no label: the sheet's content has its own way out
            head.add_widget(self.back)
        self.box.add_widget(head)
        self.body = BoxLayout(orientation="vertical", spacing=th.pad)
        self.box.add_widget(self.body)
        self.add_widget(self.box)

    def add(self, widget: Widget) -> Widget:
        self.body.add_widget(widget)
        return widget

    def note(
        self, text: str, *, color: Sequence[float] = theme.TEXT, size: int | None = None
    ) -> PosLabel:
        label = PosLabel(
            text=text,
            font_size=size or self.th.font,
            color=color,
            size_hint_y=None,
            height=self.th.row,
        )
        self.body.add_widget(label)
        return label

    def choices(
        self, items: Sequence[tuple[str, Callable[[], None]]], *, cols: int = 1
    ) -> GridLayout:
        """A scrolling list (or grid) of buttons, one per choice."""
        grid = GridLayout(cols=cols, size_hint_y=None, spacing=self.th.pad)
        grid.bind(minimum_height=grid.setter("height"))
        for text, act in items:
            grid.add_widget(
                PosButton(
                    text=text,
                    font_size=self.th.font,
                    size_hint_y=None,
                    height=self.th.row,
                    on_release=lambda _b, a=act: a(),
                )
            )
        scroll = ScrollView()
        scroll.add_widget(grid)
        self.body.add_widget(scroll)
        return grid

    def buttons(
        self, items: Sequence[tuple[str, Callable[[], None]]], *, tone: Any = None
    ) -> BoxLayout:
        row = BoxLayout(size_hint_y=None, height=self.th.row, spacing=self.th.pad)
        for text, act in items:
            row.add_widget(
                PosButton(
                    text=text,
                    font_size=self.th.font,
                    tone=tone or theme.TILE,
                    on_release=lambda _b, a=act: a(),
                )
            )
        self.body.add_widget(row)
        return row
