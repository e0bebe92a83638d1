"""`kiosk reset`: back to first boot, refused while a sale or refund exists only on this device.

Stop the till and the agent first (systemctl stop kiosk-ui kiosk-agent): the check and the export
hold the database's write lock, so no sale commits in between, but a process that still has the
database open after the wipe would write into a file that is gone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.cli.manager_pin import add_manager_arguments, approved_by
from kiosk.cli.output import UsageError, emit
from kiosk.config import ConfigError, default_data_dir, load_config
from kiosk.reset.request import approved_by as request_approved
from kiosk.reset.request import read_request
from kiosk.reset.unsynced import Pending, export, pending
from kiosk.reset.wipe import DB_NAME, wipe, wipe_targets
from kiosk.staff.overrides import Action
from kiosk.store.db import Database


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "reset",
        help="factory reset: wipe settings, secrets and catalog (refused with sales not uploaded)",
        description="Wipe this device's settings, secrets and database. Refused while any order "
        "or refund is not uploaded to the store, unless --export names a file to save them to "
        "first (JSON lines, everything needed to upload them later). Stop kiosk-ui and "
        "kiosk-agent first.",
    )
    p.add_argument("--export", type=Path, metavar="FILE", help="save what is not uploaded here")
    p.add_argument("--yes", action="store_true", help="really wipe (without it: say what would)")
    add_manager_arguments(p, "the reset")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run, no_runtime=True)


def running_services(data_dir: Path) -> list[str]:
    """The kiosk's services that are up (systemd's view, as the update check asks it)."""
    from kiosk.update.system import SystemProbe

    probe = SystemProbe(data_dir)
    return [
        name
        for name, up in (("kiosk-ui", probe.app_up), ("kiosk-agent", probe.agent_ready))
        if up()
    ]


async def run(args: argparse.Namespace, _rt: None) -> int:
    data_dir = args.data_dir or default_data_dir()
    if args.yes:
        running = await asyncio.to_thread(running_services, data_dir)
        if running:
            # A till still running would write its next sale into a database that is gone.
            raise UsageError(
                f"{' and '.join(running)} still running: stop them first "
                f"(systemctl stop {' '.join(running)}), then reset"
            )
    device = ""
    # A broken settings file is a reason to reset, not a reason to refuse.
    with contextlib.suppress(ConfigError):
        device = load_config(args.config, data_dir, env=False).device.name
    targets = wipe_targets(data_dir, args.config)
    if args.export is not None and any(_same(args.export, t) for t in targets):
        raise UsageError(f"--export {args.export}: that file is wiped by the reset; name another")
    db_path = data_dir / DB_NAME
    todo, exported = Pending((), ()), False
    if db_path.exists():
        db = await Database.open(db_path)
        try:
            todo = await db.read(pending)
            if todo.total and args.export is None:
                return _refuse(args, todo)
            # Once the device has staff a manager says so, recorded: on the command line, or
            # the approval the touchscreen's request names.
            request = read_request(data_dir)
            asked = bool(await db.read(lambda conn: request_approved(conn, request)))
            if args.yes and not asked:
                await approved_by(args, db, Action.RESET, detail=f"reset of {device or data_dir}")
            if todo.total and args.yes:
                now = datetime.now(UTC)
                # In a write transaction: no sale can commit between the export and the wipe.
                todo = await db.write(
                    lambda conn: export(conn, args.export, device=device, now=now)
                )
                exported = True
        finally:
            await db.close()
    present = [str(t) for t in targets if t.exists()]
    if not args.yes:
        emit(
            args.json,
            {"wiped": [], "would_wipe": present, "pending": _counts(todo), "export": None},
            "Nothing changed. `kiosk reset --yes` would remove:\n"
            + "\n".join(f"  {p}" for p in present or ["(nothing: the device is already reset)"])
            + (f"\nand first save {todo.words()} to {args.export}." if todo.total else ""),
        )
        return 2
    removed = wipe(data_dir, args.config)
    emit(
        args.json,
        {
            "wiped": [str(p) for p in removed],
            "pending": _counts(todo),
            "export": str(args.export) if exported else None,
        },
        (f"Saved {todo.words()} not uploaded to {args.export}.\n" if exported else "")
        + f"Reset: removed {len(removed)} item(s) from {data_dir}. "
        "The device starts its setup again on the next boot.",
    )
    return 0


def _refuse(args: argparse.Namespace, todo: Pending) -> int:
    message = (
        f"not reset: {todo.words()} are not uploaded to the store yet and exist only on this "
        "device. Connect it and run `kiosk sync --once`, or save them first with "
        "`kiosk reset --export FILE --yes`."
    )
    if args.json:
        emit(True, {"refused": message, "pending": _counts(todo)}, "")
    else:
        print(f"kiosk: {message}", file=sys.stderr)
    return 1


def _counts(todo: Pending) -> dict[str, int]:
    return todo.counts()


def _same(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()
