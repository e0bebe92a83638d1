"""`kiosk staff add|list|remove`: who can sign in at this till.

The PIN is read from standard input (`--pin-stdin`, or whenever stdin is not a terminal), or
asked for twice without echo on a terminal; it is never printed, logged or put in argv, where
`ps` would show it. Anyone at the device's shell can already change its database, so these
commands ask no manager's PIN; on the touchscreen a manager's approval is needed.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from kiosk.cli.output import UsageError, emit, table
from kiosk.runtime import Runtime
from kiosk.staff import accounts
from kiosk.staff.accounts import Role, StaffError, StaffMember
from kiosk.staff.pins import BadPin


def add_parser(sub: Any) -> None:
    p = sub.add_parser("staff", help="add, list and remove the staff who sign in with a PIN")
    ssub = p.add_subparsers(dest="staff_command", metavar="ACTION", required=True)

    add = ssub.add_parser("add", help="add a staff member (the PIN is read from stdin)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.CASHIER.value)
    add.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    add.add_argument("--json", action="store_true", help="print one JSON object")
    add.set_defaults(handler=run_add)

    ls = ssub.add_parser("list", help="the staff who can sign in")
    ls.add_argument("--json", action="store_true", help="print one JSON object")
    ls.set_defaults(handler=run_list)

    rm = ssub.add_parser("remove", help="remove a staff member (never the last manager)")
    rm.add_argument("name", metavar="NAME", help="the name (any case) or id")
    rm.add_argument("--json", action="store_true", help="print one JSON object")
    rm.set_defaults(handler=run_remove)


def read_pin(args: argparse.Namespace, prompt: str, *, confirm: bool = False) -> str:
    """One PIN from stdin, or typed twice without echo on a terminal."""
    if getattr(args, "pin_stdin", False) or not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise UsageError("no PIN on standard input (give it on one line)")
        return line.rstrip("\r\n")
    pin = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again: ") != pin:
        raise UsageError("the two PINs typed were not the same: nothing was changed")
    return pin


def member_json(m: StaffMember) -> dict[str, Any]:
    return {"id": m.id, "name": m.name, "role": m.role.value}


async def run_add(args: argparse.Namespace, rt: Runtime) -> int:
    pin = read_pin(args, f"PIN for {args.name.strip()}: ", confirm=True)
    try:
        member = await accounts.add_staff(rt.db, name=args.name, role=args.role, pin=pin)
    except (StaffError, BadPin) as exc:
        raise UsageError(str(exc)) from None
    emit(args.json, member_json(member), f"Added {member.name} ({member.role.value}).")
    return 0


async def run_list(args: argparse.Namespace, rt: Runtime) -> int:
    staff = await accounts.list_staff(rt.db)
    rows = [["Name", "Role"], *[[m.name, m.role.value] for m in staff]]
    text = (
        table(rows)
        if staff
        else "No staff yet: add one with `kiosk staff add NAME --role manager`."
    )
    emit(args.json, {"staff": [member_json(m) for m in staff]}, text)
    return 0


async def run_remove(args: argparse.Namespace, rt: Runtime) -> int:
    try:
        member = await accounts.remove_staff(rt.db, args.name.strip())
    except StaffError as exc:
        raise UsageError(str(exc)) from None
    emit(args.json, {"removed": member_json(member)}, f"Removed {member.name}.")
    return 0
