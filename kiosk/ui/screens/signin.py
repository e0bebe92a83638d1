"""The PIN sheets: sign in (the lock screen, and the quick switch), and a manager's approval.

A thin view: the names come from the staff session, the PIN goes to StaffSession.sign_in or
kiosk.staff.overrides.approve, and what they raise (wrong PIN, locked out, not a manager) is
shown in their own words. The PIN shows as dots and is never kept after the sheet closes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView

from kiosk.staff.accounts import StaffError, StaffMember
from kiosk.staff.pins import PIN_DIGITS
from kiosk.ui import theme
from kiosk.ui.services import Spawn
from kiosk.ui.widgets.basics import PosButton
from kiosk.ui.widgets.sheet import Sheet

DOT = "●"
Submit = Callable[[str, str], Awaitable[object]]  # (name, PIN): raises StaffError to refuse


class PinSheet(Sheet):
    """Pick a name, type the PIN, OK. `submit` signs in or approves; its StaffError shows on the
    sheet and the PIN is cleared for another try; success dismisses the sheet."""

    def __init__(
        self,
        th: theme.Theme,
        title: str,
        people: Sequence[StaffMember],
        submit: Submit,
        spawn: Spawn,
        *,
        chosen: str = "",
        back: str = "",
        prompt: str = "Tap your name, then type your PIN",
        reason: str = "",
    ) -> None:
        super().__init__(th, title, back=back)
        if reason:  # what the PIN is for, above everything else
            self.note(reason, color=theme.WARN)
        self._submit, self._spawn = submit, spawn
        self._pin = ""
        self._prompt = prompt
        self.chosen = chosen if any(p.name == chosen for p in people) else ""
        if not self.chosen and len(people) == 1:
            self.chosen = people[0].name
        names = GridLayout(cols=min(max(len(people), 1), 4), size_hint_y=None, spacing=th.pad)
        names.bind(minimum_height=names.setter("height"))
        self._name_buttons: list[PosButton] = []
        for person in people:
            b = PosButton(
                text=person.name,
                font_size=th.font,
                size_hint_y=None,
                height=th.row,
                on_release=lambda _b, n=person.name: self._choose(n),
            )
            b.role = "staff"
            self._name_buttons.append(b)
            names.add_widget(b)
        scroll = ScrollView(size_hint_y=None, height=th.row * min(2, -(-len(people) // 4) or 1))
        scroll.add_widget(names)
        self.add(scroll)
        self.message = self.note("", size=th.font)
        self.dots = self.note("", size=th.large)
        keys = [[*"12345"], [*"67890"], [theme.BACKSPACE, "OK"]]
        for row in keys:
            box = BoxLayout(size_hint_y=None, height=th.row, spacing=th.pad)
            for k in row:
                b = PosButton(
                    text=k,
                    font_size=th.large if k.isdigit() else th.font,
                    tone=theme.ACCENT if k == "OK" else theme.TILE,
                    on_release=lambda _b, key=k: self._key(key),
                )
                b.role = "pin-ok" if k == "OK" else ""
                box.add_widget(b)
            self.add(box)
        self.add(BoxLayout())  # the rest of the sheet stays empty below the keys
        self._show()

    def _choose(self, name: str) -> None:
        self.chosen, self._pin = name, ""
        self._show()

    def _show(self, problem: str = "") -> None:
        for b in self._name_buttons:
            b.tone = theme.ACCENT if b.text == self.chosen else theme.TILE
        if problem:
            self.message.text, self.message.color = problem, theme.WARN
        elif self.chosen:
            self.message.text, self.message.color = f"{self.chosen}: type your PIN", theme.TEXT
        else:
            self.message.text, self.message.color = self._prompt, theme.TEXT
        self.dots.text = DOT * len(self._pin) if self._pin else " "

    def _key(self, key: str) -> None:
        if key == theme.BACKSPACE:
            self._pin = self._pin[:-1]
        elif key == "OK":
            self._ok()
            return
        elif len(self._pin) < PIN_DIGITS[-1]:
            self._pin += key
        self._show()

    def _ok(self) -> None:
        if not self.chosen:
            self._show("Tap your name first")
            return
        if not self._pin:
            self._show(f"{self.chosen}: type your PIN first")
            return
        pin, self._pin = self._pin, ""
        self._spawn(self._try(self.chosen, pin))

    async def _try(self, name: str, pin: str) -> None:
        try:
            await self._submit(name, pin)
        except StaffError as exc:
            self._show(_first_up(str(exc)))
            return
        self.dismiss()


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def sign_in_sheet(
    th: theme.Theme,
    people: Sequence[StaffMember],
    sign_in: Callable[[str, str], Awaitable[object]],
    spawn: Spawn,
    *,
    last: str = "",
    done: Callable[[], None] = lambda: None,
) -> PinSheet:
    """The lock screen: whoever signs in sells from then on (the quick switch)."""

    async def submit(name: str, pin: str) -> None:
        await sign_in(name, pin)
        done()

    title = "Locked: sign in to sell" if last else "Sign in to sell"
    return PinSheet(th, title, people, submit, spawn, chosen=last)


def manager_sheet(
    th: theme.Theme,
    what: str,
    managers: Sequence[StaffMember],
    approve: Callable[[str, str], Awaitable[object]],
    spawn: Spawn,
) -> PinSheet:
    """A manager's name and PIN for `what` ("A discount above the limit of 10%"); Back cancels."""
    sheet = PinSheet(
        th,
        "Manager's PIN",
        managers,
        approve,
        spawn,
        back="Back",
        prompt="A manager taps their name and types their PIN",
        reason=f"{what} needs a manager",
    )
    sheet.back.role = "back"
    return sheet
