"""A manager's approval on the command line: `--manager NAME` and their PIN from stdin.

What the touchscreen asks with its manager's PIN sheet, the command line asks this way, once the
device has staff (a device without staff has nobody to ask: nothing is needed).
"""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.cli.output import UsageError
from kiosk.cli.staff_cmd import read_pin
from kiosk.staff import accounts, overrides
from kiosk.staff.accounts import StaffError
from kiosk.staff.overrides import ACTION_WORDS, Action
from kiosk.store.db import Database


def add_manager_arguments(p: Any, what: str) -> None:
    p.add_argument(
        "--manager",
        default="",
        metavar="NAME",
        help=f"the manager who approves {what}, with their PIN (needed once the device has staff)",
    )
    p.add_argument("--pin-stdin", action="store_true", help="read the manager's PIN from stdin")


async def approved_by(
    args: argparse.Namespace,
    db: Database,
    action: Action,
    *,
    subject: str = "",
    detail: str = "",
) -> str:
    """The approving manager's name, the approval recorded; "" on a device without staff.

    Raises UsageError naming --manager when it is missing, not a manager, or the PIN is wrong.
    """
    if not await accounts.list_staff(db):
        return ""
    name = args.manager.strip()
    if not name:
        raise UsageError(f"--manager NAME: {ACTION_WORDS[action]} needs a manager's approval, "
                         "with their PIN")  # fmt: skip
    pin = read_pin(args, f"PIN for {name}: ")
    try:
        approval = await overrides.approve(
            db, action, manager=name, pin=pin, subject=subject, detail=detail
        )
    except StaffError as exc:
        raise UsageError(f"--manager {name}: {exc}") from None
    return approval.approved_by.name
