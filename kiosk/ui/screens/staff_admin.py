"""The Staff sheet (Devices › Staff): a manager's PIN first, then the staff listed, removed, and
added with a name typed on the on-screen keyboard, a role and a PIN typed twice.

A thin view over kiosk.staff.signin.StaffSession: the refusals (a name taken, the last manager,
an unusable PIN) are its words, shown on the sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from kiosk.staff.accounts import Role, StaffError
from kiosk.staff.overrides import Action, Approval
from kiosk.staff.pins import BadPin
from kiosk.staff.signin import StaffSession
from kiosk.ui import theme
from kiosk.ui.screens.signin import DOT, manager_sheet
from kiosk.ui.screens.view import SaleView
from kiosk.ui.widgets.keyboard import Keyboard
from kiosk.ui.widgets.sheet import Sheet

Said = Callable[[str], None]  # what was done, for the staff list drawn again


async def staff_admin(screen: SaleView, staff: StaffSession) -> None:
    """Ask a manager's PIN, then show the staff sheet."""

    async def approve(name: str, pin: str) -> None:
        approval = await staff.approve(Action.SETTINGS, name, pin, detail="staff")
        screen.spawn(_staff_sheet(screen, staff, approval))

    managers = await staff.managers()
    manager_sheet(screen.th, "Changing the staff", managers, approve, screen.spawn).open()


async def _staff_sheet(
    screen: SaleView, staff: StaffSession, approval: Approval, said: str = ""
) -> None:
    th = screen.th
    sheet = Sheet(th, "Staff")
    message = sheet.note(
        said or "Tap a name to remove it", color=theme.TEXT if said else theme.MUTED
    )
    people = await staff.who_can_sign_in()

    def again(words: str) -> None:
        """Drawn again with what changed, and what was done said at the top."""
        sheet.dismiss()
        screen.spawn(_staff_sheet(screen, staff, approval, words))

    async def remove(name: str) -> None:
        try:
            gone = await staff.remove_member(name, approval)
        except StaffError as exc:
            message.text, message.color = str(exc)[:1].upper() + str(exc)[1:], theme.WARN
            return
        again(f"Removed {gone.name}")

    sheet.buttons(
        [
            ("Add a cashier", lambda: _name_sheet(screen, staff, approval, Role.CASHIER, again)),
            ("Add a manager", lambda: _name_sheet(screen, staff, approval, Role.MANAGER, again)),
        ],
        tone=theme.ACCENT,
    )

    def tapped(name: str) -> None:
        screen.spawn(remove(name))  # made at the tap: a coroutine made beforehand runs once

    sheet.choices([(f"{p.name} · {p.role.value}", partial(tapped, p.name)) for p in people], cols=2)
    sheet.open()


def _name_sheet(
    screen: SaleView, staff: StaffSession, approval: Approval, role: Role, done: Said
) -> None:
    th = screen.th
    sheet = Sheet(th, f"New {role.value}: name")
    typed = {"v": ""}

    def on_text(text: str) -> None:
        typed["v"] = text
        sheet.title.text = (
            f"New {role.value}: {text.title()}" if text else f"New {role.value}: name"
        )

    def typed_all() -> None:
        name = " ".join(typed["v"].split()).title()
        if not name:
            sheet.title.text = "Type the name first"
            return
        sheet.dismiss()
        _pin_sheet(screen, staff, approval, role, name, done)

    sheet.add(Keyboard(th, typed=on_text, done=typed_all))
    sheet.open()


def _pin_sheet(
    screen: SaleView, staff: StaffSession, approval: Approval, role: Role, name: str, done: Said
) -> None:
    th = screen.th
    sheet = Sheet(th, f"{name}: a PIN of 4 to 12 digits")
    note = sheet.note("Type the PIN, then OK")
    dots = sheet.note(" ", size=th.large)
    state = {"pin": "", "first": ""}

    def key(k: str) -> None:
        if k == theme.BACKSPACE:
            state["pin"] = state["pin"][:-1]
        elif k == "OK":
            ok()
            return
        elif len(state["pin"]) < 12:
            state["pin"] += k
        dots.text = DOT * len(state["pin"]) or " "

    def ok() -> None:
        pin, state["pin"] = state["pin"], ""
        dots.text = " "
        if not state["first"]:
            state["first"] = pin
            note.text, note.color = "The same PIN again, then OK", theme.TEXT
            return
        first, state["first"] = state["first"], ""
        if pin != first:
            note.text, note.color = "The two PINs were not the same: type it again", theme.WARN
            return
        screen.spawn(add(pin))

    async def add(pin: str) -> None:
        try:
            member = await staff.add_member(name, role.value, pin, approval)
        except (StaffError, BadPin) as exc:
            note.text, note.color = str(exc)[:1].upper() + str(exc)[1:], theme.WARN
            return
        sheet.dismiss()
        done(f"Added {member.name} ({member.role.value}): they can sign in now")

    for row in ([*"12345"], [*"67890"], [theme.BACKSPACE, "OK"]):
        sheet.buttons([(k, partial(key, k)) for k in row])
    sheet.open()
