"""`kiosk update status|check|install`: which system runs, its version, the last update's result;
the boot health check (kiosk-health.service); installing an update bundle."""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.cli.output import UsageError, emit
from kiosk.config import load_config
from kiosk.runtime import Runtime
from kiosk.store import outbox
from kiosk.store.outbox import OutboxState
from kiosk.update.check import Machine, Probe, run_check
from kiosk.update.health import Verdict
from kiosk.update.install import UpdateRefused, install_update
from kiosk.update.rauc import Rauc, RaucError, RaucStatus, SystemRauc
from kiosk.update.record import Record, load_record
from kiosk.update.system import SystemMachine, SystemProbe

CHECK_EVERY_S = 5.0


# The seams the tests replace with kiosk.update.fake's.
def system_rauc() -> Rauc:
    return SystemRauc()


def system_probe(data_dir: Path) -> Probe:
    return SystemProbe(data_dir)


def system_machine() -> Machine:
    return SystemMachine()


def add_parser(sub: Any) -> None:
    p = sub.add_parser("update", help="system updates: status, the boot health check, install")
    usub = p.add_subparsers(dest="update_command", metavar="ACTION", required=True)
    s = usub.add_parser("status", help="the running system, its version, the last update")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.set_defaults(handler=run_status, no_runtime=True)
    c = usub.add_parser(
        "check",
        help="is this boot healthy? (till up, agent ready, database opens)",
        description="Look at the till, the agent and the database; with --mark, tell RAUC "
        "(good, or bad and reboot into the previous system after an update that failed).",
    )
    c.add_argument("--mark", action="store_true", help="mark the boot good or bad (root)")
    c.add_argument("--wait", type=int, default=0, metavar="SECONDS", help="look again until then")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.set_defaults(handler=run_check_cmd, no_runtime=True)
    i = usub.add_parser(
        "install",
        help="install an update bundle into the other system (refused while orders wait)",
    )
    i.add_argument("bundle", type=Path, help="the .raucb file")
    i.add_argument("--reboot", action="store_true", help="reboot into it once installed")
    i.add_argument("--json", action="store_true", help="print one JSON object")
    i.set_defaults(handler=run_install)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _data_dir(args: argparse.Namespace) -> Path:
    return load_config(args.config, args.data_dir).data_dir


def describe(status: RaucStatus, record: Record) -> dict[str, Any]:
    """The status as one object (pure): the running system, the next boot, the last update."""
    booted = status.booted_slot
    primary = status.primary_slot
    last: dict[str, Any] | None = None
    if record.pending is not None:
        p = record.pending
        trying = p.slot == status.booted
        last = {
            "slot": p.slot,
            "version": p.version,
            "result": "on trial" if trying else "installed, starts at the next reboot",
            "at": p.installed_at,
            "reason": "",
        }
    elif record.last is not None:
        o = record.last
        last = {"slot": o.slot, "version": o.version, "result": o.result, "at": o.at}
        last["reason"] = o.reason
    elif (written := status.last_installed) is not None:
        # Installed by plain `rauc install`: what RAUC's own slot status says of it.
        if written.bootname == status.booted:
            result = "running"
        elif written.boot_status == "bad":
            result = "rolled back"
        elif primary is not None and written.name == primary.name:
            result = "installed, starts at the next reboot"
        else:
            result = "installed, not running"
        at = written.installed_at.isoformat() if written.installed_at else None
        last = {"slot": written.bootname, "version": written.version, "result": result}
        last.update(at=at, reason="")
    return {
        "system": status.booted,
        "version": (booted.version if booted and booted.version else None) or __version__,
        "as_flashed": not (booted and booted.version),
        "boot_status": booted.boot_status if booted else None,
        "next_boot": primary.bootname if primary else None,
        "slots": [
            {"slot": s.bootname, "version": s.version, "boot_status": s.boot_status}
            for s in status.slots
        ],
        "last_update": last,
    }


def status_text(d: dict[str, Any]) -> str:
    version = d["version"] + (" (as flashed)" if d["as_flashed"] else "")
    lines = [
        f"System:      {d['system']}, version {version}, boot {d['boot_status'] or 'unknown'}",
        f"Next boot:   {d['next_boot'] or 'unknown'}",
    ]
    last = d["last_update"]
    if last is None:
        lines.append("Last update: none since this card was flashed")
    else:
        when = f" on {last['at']}" if last.get("at") else ""
        why = f": {last['reason']}" if last.get("reason") else ""
        lines.append(
            f"Last update: {last['version']} into system {last['slot']}, "
            f"{last['result']}{when}{why}"
        )
    return "\n".join(lines)


async def run_status(args: argparse.Namespace, _rt: None) -> int:
    data_dir = _data_dir(args)
    try:
        status = system_rauc().status()
    except RaucError as exc:
        emit(args.json, {"system": None, "error": str(exc)}, f"Updates: {exc}")
        return 1
    d = describe(status, load_record(data_dir))
    emit(args.json, d, status_text(d))
    return 0


async def run_check_cmd(args: argparse.Namespace, _rt: None) -> int:
    if args.wait < 0:
        raise UsageError(f"--wait {args.wait}: must be 0 or more seconds")
    data_dir = _data_dir(args)
    attempts = 1 + int(args.wait // CHECK_EVERY_S)
    result = await asyncio.to_thread(
        run_check,
        system_rauc(),
        system_probe(data_dir),
        system_machine(),
        data_dir,
        mark=args.mark,
        max_attempts=attempts,
        every_s=CHECK_EVERY_S,
        sleep=time.sleep,
        now=_now,
    )
    d = result.decision
    seen = result.seen
    data = {
        "verdict": d.verdict.value,
        "reason": d.reason,
        "marked": result.marked,
        "rolled_back_before": result.came_back,
        "seen": None
        if seen is None
        else {
            "app_up": seen.app_up,
            "agent_ready": seen.agent_ready,
            "db_opened": seen.db_opened,
            "system": seen.booted,
            "trial": seen.trial,
            "attempts": seen.attempts,
        },
    }
    text = f"Health: {d.reason}" + (f" (marked {result.marked})" if result.marked else "")
    if result.came_back:
        text += "\nThe last update was rolled back: this is the previous system again."
    emit(args.json, data, text)
    return 0 if d.verdict in (Verdict.MARK_GOOD, Verdict.LEAVE) and not missing_any(data) else 1


def missing_any(data: dict[str, Any]) -> bool:
    seen = data["seen"]
    return seen is not None and not (seen["app_up"] and seen["agent_ready"] and seen["db_opened"])


async def run_install(args: argparse.Namespace, rt: Runtime) -> int:
    counts = await outbox.counts(rt.db)
    rauc = system_rauc()
    try:
        done = install_update(
            rauc,
            args.bundle,
            data_dir=rt.config.data_dir,
            db_path=rt.config.db_path,
            waiting=counts[OutboxState.PENDING_SYNC],
            uploading=counts[OutboxState.SYNCING],
            now=_now,
        )
    except UpdateRefused as exc:
        emit(args.json, {"installed": False, "reason": str(exc)}, f"Not updated: {exc}")
        return 1
    p = done.pending
    data = {"installed": True, "slot": p.slot, "version": p.version, "snapshot": str(done.snapshot)}
    text = (
        f"Installed {p.version} into system {p.slot}; the database was copied to {done.snapshot}."
        + ("\nRebooting into it once; it is kept if the till comes up." if args.reboot else
           "\nIt is tried at the next `systemctl reboot '0 tryboot'`.")
    )  # fmt: skip
    emit(args.json, data, text)
    if args.reboot:
        system_machine().reboot_to_trial()
    return 0
