"""The setup wizard on the touchscreen: one screen per step, laying out the step's Form.

A thin view over kiosk.setup.steps.Wizard: what a step shows comes from its Form (values, info),
what the person gives goes to Wizard.submit, and the errors come back keyed by the field they
are about and are shown under that field (the ones about no field at the top). Back revisits
the step before; every step is saved on disk by the Wizard, so a restart resumes where it was.
The layouts of the steps are in wizard_steps.py; this is the frame they share.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.setup.choices import StoreKind
from kiosk.setup.network_tools import NetworkTools
from kiosk.setup.steps import STEPS, Done, Form, HardwareTests, Result, Wizard
from kiosk.ui import theme
from kiosk.ui.widgets.basics import Panel, PosButton, PosLabel
from kiosk.ui.widgets.keyboard import Keyboard
from kiosk.ui.widgets.sheet import Sheet

TITLES = {
    "locale": "Language and shop",
    "network": "Network",
    "store": "Your store",
    "sync": "Copy the catalog",
    "hardware": "Scanner, printer and drawer",
    "reader": "Card reader",
    "staff": "Staff",
}
DOT = "•"  # in Roboto (● is not)
Task = asyncio.Task[Any]
Spawn = Callable[..., Task]  # (coroutine, waits_on_person=False) -> its task
View = Callable[["WizardScreen"], None]
Prepare = Callable[["WizardScreen", Form], Awaitable[None]]


@dataclass
class Setup:
    """What the wizard's screens work with, made by the composition root (kiosk/cli)."""

    wizard: Wizard
    stores: Sequence[StoreKind]
    tools: NetworkTools = field(default_factory=NetworkTools)
    hardware: HardwareTests | None = None  # the tests (the wizard's own deps run them)
    reader_base: str = ""  # the Stripe API's address when not the real one (a test's)


def wrapped(th: theme.Theme, text: str, color: Sequence[float], size: int = 0) -> Label:
    """A label as tall as its wrapped text, never cut."""
    label = Label(
        text=text,
        font_size=size or th.font,
        color=color,
        halign="left",
        valign="middle",
        size_hint_y=None,
    )

    def fit(*_: Any) -> None:
        label.text_size = (label.width, None)
        label.height = max(label.texture_size[1] + th.pad, th.row * 0.6)

    label.bind(width=fit, texture_size=fit)
    fit()
    return label


class WizardScreen(Panel):
    """The frame: step title and count, the step's rows (scrolling), Back and the step's action."""

    def __init__(
        self,
        th: theme.Theme,
        setup: Setup,
        spawn: Spawn,
        finished: Callable[[], None],
        views: Mapping[str, View],
        prepare: Mapping[str, Prepare],
        **kw: Any,
    ) -> None:
        super().__init__(orientation="vertical", padding=th.pad * 2, spacing=th.pad, **kw)
        self.fill = theme.BG
        self.th, self.setup, self.wizard = th, setup, setup.wizard
        self._spawn, self._finished = spawn, finished
        self._views, self._prepare = views, prepare
        self.form: Form | None = None
        self.values: dict[str, Any] = {}  # what the person has given this step, not yet sent
        self.busy = ""  # what runs now, in words ("" when nothing does)
        self.scan_waiter: asyncio.Future[str | None] | None = None  # the scanner test's
        self.editor: Keyboard | None = None
        self.changed: set[str] = set()  # fields given anew since the Form: their errors are old
        self._drawn = ""  # the step drawn last
        self.state: dict[str, Any] = {}  # a step's view keeps what it needs across redraws
        head = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
        self.title = PosLabel(text="Setting up", font_size=th.large, bold=True)
        self.count = PosLabel(
            text="", font_size=th.small, color=theme.MUTED, halign="right", size_hint_x=0.3
        )
        head.add_widget(self.title)
        head.add_widget(self.count)
        self.add_widget(head)
        self.rows = GridLayout(cols=1, size_hint_y=None, spacing=th.pad)
        self.rows.bind(minimum_height=self.rows.setter("height"))
        self.scroll = ScrollView(do_scroll_x=False)
        self.scroll.add_widget(self.rows)
        self.add_widget(self.scroll)
        foot = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
        self.back = PosButton(
            text="Back", font_size=th.font, size_hint_x=0.25, on_release=lambda _b: self.go_back()
        )
        self.back.role = "back"
        self.message = PosLabel(text="", font_size=th.small, color=theme.MUTED)
        self.action = PosButton(text="Next", font_size=th.font, size_hint_x=0.35, tone=theme.ACCENT)
        self.action.role = "next"
        self.action.bind(on_release=lambda _b: self._act())
        self._action: Callable[[], None] | None = None
        for w in (self.back, self.message, self.action):
            foot.add_widget(w)
        self.add_widget(foot)

    # -- moving between steps ----------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any], *, waits_on_person: bool = False) -> Task:
        return self._spawn(coro, waits_on_person=waits_on_person)

    async def show(self, result: Result) -> None:
        """Lay out `result`: a step's Form (keeping what was typed when it is the same step)."""
        if isinstance(result, Done):
            self._finished()
            return
        same = self.form is not None and self.form.step == result.step
        if same:
            self.values = {**result.values, **self.values}
        else:
            self.values, self.state = dict(result.values), {}
        self.form = result
        self.changed = set()
        await self.prepare(result)
        self.render()

    async def prepare(self, form: Form) -> None:
        """What a step's view must read before it is drawn (the WiFi list, the country)."""
        prepare = self._prepare.get(form.step)
        if prepare is not None:
            await prepare(self, form)

    def submit(self, data: Mapping[str, Any], busy: str = "Checking…") -> None:
        assert self.form is not None
        step = self.form.step
        self.spawn(self._submit(step, dict(data), busy))

    async def _submit(self, step: str, data: dict[str, Any], busy: str) -> None:
        self.set_busy(busy)
        try:
            result = await self.wizard.submit(step, data)
        finally:
            self.set_busy("")
        await self.show(result)

    def go_back(self) -> None:
        if self.busy:
            return
        self.spawn(self._back())

    async def _back(self) -> None:
        await self.show(await self.wizard.back())

    def set_busy(self, words: str) -> None:
        self.busy = words
        self.message.text = words
        self.action.disabled = bool(words)
        self.back.disabled = bool(words) or self.form is None or self.form.step == STEPS[0]

    def say(self, text: str, *, warn: bool = False) -> None:
        self.message.text = text
        self.message.color = theme.WARN if warn else theme.MUTED

    # -- laying a step out -------------------------------------------------------------------

    def render(self) -> None:
        form = self.form
        assert form is not None
        index = STEPS.index(form.step)
        self.title.text = TITLES[form.step]
        self.count.text = f"Step {index + 1} of {len(STEPS)}"
        self.rows.clear_widgets()
        self.message.text, self.message.color = self.busy, theme.MUTED
        self._forget_errors()
        self._action = None
        self.action.opacity, self.action.disabled = 1, bool(self.busy)
        self._views[form.step](self)
        # Errors about no field on the screen (the step as a whole) go first, above the rows.
        rest = [m for f, m in form.errors.items() if f not in self.shown_errors]
        for message in reversed(rest):
            self.rows.add_widget(
                wrapped(self.th, message, theme.WARN), index=len(self.rows.children)
            )
        self.back.disabled = index == 0 or bool(self.busy)
        if self._action is None:
            self.action.opacity, self.action.disabled = 0, True
        # A new step starts at its top; an error is scrolled into view; else the place stays.
        if form.step != self._drawn or rest:
            self.scroll.scroll_y = 1
        elif self.first_error is not None:
            self._scroll_to(self.first_error)
        self._drawn = form.step

    def _forget_errors(self) -> None:
        self.shown_errors: set[str] = set()
        self.first_error: Widget | None = None  # the first shown by its field, this drawing

    def _scroll_to(self, widget: Widget) -> None:
        # Once laid out (a frame for the rows, one for the grid's height): then it has a place.
        def later(_dt: float) -> None:
            Clock.schedule_once(lambda _dt: self.scroll.scroll_to(widget, animate=False), 0)

        Clock.schedule_once(later, 0)

    def primary(self, text: str, act: Callable[[], None]) -> None:
        self.action.fit(text)
        self.action.text = text
        self._action = act

    def _act(self) -> None:
        if self._action is not None and not self.busy:
            self._action()

    def add(self, widget: Widget) -> Widget:
        self.rows.add_widget(widget)
        return widget

    def note(self, text: str, *, color: Sequence[float] = theme.TEXT, size: int = 0) -> Label:
        return self.add(wrapped(self.th, text, color, size))

    def error(self, name: str) -> None:
        """The error keyed by `name`, right here (under its field)."""
        assert self.form is not None
        message = self.form.errors.get(name)
        if message:
            self.shown_errors.add(name)  # here, or answered since: not at the top either
            if name not in self.changed:
                shown = self.add(wrapped(self.th, message, theme.WARN))
                self.first_error = self.first_error or shown

    def change(self, name: str, value: Any) -> None:
        """What the person gave field `name` (a skip reason answers its device's error too)."""
        self.values[name] = value
        self.changed |= {name, name.removesuffix("_skip")}

    def row(self) -> BoxLayout:
        return self.add(BoxLayout(size_hint_y=None, height=self.th.row, spacing=self.th.pad))

    def button(
        self,
        text: str,
        act: Callable[[], None],
        *,
        role: str = "",
        tone: Sequence[float] = theme.TILE,
        **kw: Any,
    ) -> PosButton:
        b = PosButton(
            text=text, font_size=self.th.font, tone=tone, on_release=lambda _b: act(), **kw
        )
        b.role = role
        return b

    def field(self, name: str, label: str, *, secret: bool = False, hint: str = "") -> None:
        """A text field: its name, what it holds (a tap types it on the keyboard), its error."""
        line = self.row()
        line.add_widget(PosLabel(text=label, font_size=self.th.font, size_hint_x=0.42))
        value = str(self.values.get(name, ""))
        if value:
            shown = f"{DOT * min(len(value), 10)}  ({len(value)})" if secret else value
        else:
            shown = hint or "Tap to type"
        b = self.button(
            shown,
            lambda: self.edit(name, label, secret=secret),
            role=f"field-{name}",
            halign="left",
            padding=(self.th.pad * 3, 0),  # the text clear of the field's left edge
            color=theme.TEXT if value else theme.MUTED,
        )
        b.shorten, b.shorten_from = True, "left"  # a long address shows its end
        line.add_widget(b)
        self.error(name)

    def choices(
        self,
        name: str,
        options: Sequence[tuple[str, Any]],
        *,
        cols: int = 3,
        then: Callable[[], None] | None = None,
    ) -> None:
        """One button per option, the chosen one lit; `then` runs after a choice (else a redraw)."""
        grid = GridLayout(cols=cols, size_hint_y=None, spacing=self.th.pad)
        grid.bind(minimum_height=grid.setter("height"))
        for text, value in options:

            def choose(v: Any = value) -> None:
                self.change(name, v)
                (then or self.render)()

            chosen = self.values.get(name) == value
            grid.add_widget(
                self.button(
                    text,
                    choose,
                    role=f"choice-{name}",
                    tone=theme.ACCENT if chosen else theme.TILE,
                    size_hint_y=None,
                    height=self.th.row,
                )
            )
        self.add(grid)
        self.error(name)

    # -- the on-screen keyboard --------------------------------------------------------------

    def edit(
        self,
        name: str,
        label: str,
        *,
        secret: bool = False,
        done: Callable[[str], None] | None = None,
    ) -> None:
        """The keyboard over the bottom of the screen; Done keeps what was typed in `name`."""
        th = self.th

        def cancel() -> None:
            self.editor = None
            sheet.dismiss()

        sheet = Sheet(
            th,
            "",
            back="Cancel",
            on_back=cancel,
            size_hint=(1, None),
            height=7 * th.row + 12 * th.pad,
            pos_hint={"y": 0},
        )
        sheet.back.role = "cancel-typing"

        def shown(text: str) -> str:
            return f"{label}: {DOT * len(text) if secret else text}"

        sheet.title.text = shown(str(self.values.get(name, "")))
        sheet.title.shorten, sheet.title.shorten_from = True, "left"

        def on_text(text: str) -> None:
            sheet.title.text = shown(text)

        def finish() -> None:
            text = keys.text.strip() if not secret else keys.text
            sheet.dismiss()
            self.editor = None
            if done is not None:
                done(text)
            else:
                self.change(name, text)
                self.render()

        keys = Keyboard(
            th, typed=on_text, done=finish, text=str(self.values.get(name, "")), symbols=True
        )
        sheet.add(keys)
        self.editor = keys
        sheet.open()

    def typed(self, char: str) -> bool:
        """A key on a plugged-in keyboard (or a scanner typing): to the field being typed."""
        if self.editor is None:
            return False
        self.editor.key(char)
        return True

    def enter(self) -> bool:
        """Enter on a plugged-in keyboard: Done on the field being typed."""
        if self.editor is None:
            return False
        for child in self.editor.children[0].children:
            if getattr(child, "text", "") == "Done":
                child.dispatch("on_release")
                return True
        return False

    def scanned(self, code: str) -> None:
        """A barcode read while the scanner test waits for one."""
        if self.scan_waiter is not None and not self.scan_waiter.done():
            self.scan_waiter.set_result(code)
