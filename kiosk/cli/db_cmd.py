"""`kiosk db check`: is the database whole, and at which schema version."""

from __future__ import annotations

import argparse
import sqlite3
from typing import Any

from kiosk.cli.output import emit
from kiosk.runtime import Runtime
from kiosk.store import migrate


def add_parser(sub: Any) -> None:
    p = sub.add_parser("db", help="database maintenance")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    check = dsub.add_parser("check", help="integrity check and schema version")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(handler=run_check)


def _check(conn: sqlite3.Connection) -> dict[str, Any]:
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    return {"integrity": integrity, "foreign_key_problems": len(fk), "version": version}


async def run_check(args: argparse.Namespace, rt: Runtime) -> int:
    r = await rt.db.read(_check)
    latest = migrate.latest_version()
    ok = r["integrity"] == ["ok"] and r["foreign_key_problems"] == 0 and r["version"] == latest
    data = {
        "ok": ok,
        "integrity": "ok" if r["integrity"] == ["ok"] else r["integrity"],
        "foreign_key_problems": r["foreign_key_problems"],
        "schema_version": r["version"],
        "latest_version": latest,
        "path": str(rt.db.path),
    }
    fk = f"{r['foreign_key_problems']} problems" if r["foreign_key_problems"] else "ok"
    text = (
        f"Database {rt.db.path}\n"
        f"Integrity: {'ok' if r['integrity'] == ['ok'] else '; '.join(r['integrity'])}\n"
        f"Foreign keys: {fk}\n"
        f"Schema version {r['version']} of {latest}"
    )
    emit(args.json, data, text)
    return 0 if ok else 1
