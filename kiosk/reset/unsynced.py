"""Orders and refunds not yet uploaded: counted, exported to JSON lines, and restored from them.

An export holds every row the database keeps for each one (the order, its lines, taxes and
payments, its outbox row, its card attempts; a refund's rows, and its order's, uploaded or not),
read generically: every table with an `order_id` column (for refunds, a `refund_id` column), so
a migration that adds a table or a column is exported without a change here. Restoring inserts
the same rows into a database (INSERT OR IGNORE, so twice is harmless); the agent then uploads
them as it would have, looking up first any whose upload was under way (UUIDs are the
idempotency keys, so nothing goes twice).

Refunds have an outbox of their own from migration 0008 on (refund_outbox): it is looked for at
run time, as any table named like *refund* with a `state` column, so older databases work too.

Line 1 of the file is a header: {"kind": "export", "schema": N, "orders": n, "refunds": m, ...};
then one line per order, refund or other: {"kind": "order"|"refund"|..., "id": ...,
"rows": {table: [row]}}. Any other outbox (pickup_outbox, migration 0010: a collection the store
has not completed) counts too, exported with the row it points at.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.store.migrate import current_version

Row = dict[str, Any]
SYNCED = "synced"


@dataclass(frozen=True, slots=True)
class Pending:
    orders: tuple[str, ...]  # in sale order
    refunds: tuple[str, ...]
    # Whatever else waits in an outbox of its own (a collected pickup): (its outbox, its id).
    others: tuple[tuple[str, str], ...] = ()

    @property
    def total(self) -> int:
        return len(self.orders) + len(self.refunds) + len(self.others)

    def words(self) -> str:
        parts = []
        if self.orders:
            parts.append(f"{len(self.orders)} order(s)")
        if self.refunds:
            parts.append(f"{len(self.refunds)} refund(s)")
        kinds: dict[str, int] = {}
        for table, _id in self.others:
            kind = table.removesuffix("_outbox").replace("_", " ")
            kinds[kind] = kinds.get(kind, 0) + 1
        parts += [f"{n} {kind}(s)" for kind, n in kinds.items()]
        return " and ".join(parts) or "nothing"

    def counts(self) -> dict[str, int]:
        out = {"orders": len(self.orders), "refunds": len(self.refunds)}
        for table, _id in self.others:
            key = table.removesuffix("_outbox") + "s"
            out[key] = out.get(key, 0) + 1
        return out


def _tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY rowid"
        )
    ]
    return {n: [c[1] for c in conn.execute(f'PRAGMA table_info("{n}")')] for n in names}


def refund_outboxes(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(table, its id column) of each refund table that says whether a refund is uploaded."""
    found = []
    for name, cols in _tables(conn).items():
        if "refund" in name and "state" in cols:
            id_col = "refund_id" if "refund_id" in cols else "id"
            if id_col in cols:
                found.append((name, id_col))
    return found


def other_outboxes(conn: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    """(outbox, its id column, the table it points at, that table's key) for each outbox that is
    neither the orders' nor a refunds' (pickup_outbox -> pickups.remote_id)."""
    refunds = {t for t, _ in refund_outboxes(conn)}
    found = []
    for name, cols in _tables(conn).items():
        if name == "outbox" or name in refunds or not name.endswith("outbox"):
            continue
        if "state" not in cols:
            continue
        for fk in conn.execute(f'PRAGMA foreign_key_list("{name}")'):
            found.append((name, str(fk[3]), str(fk[2]), str(fk[4])))
            break
    return found


def pending(conn: sqlite3.Connection) -> Pending:
    """Every order, refund and other outbox row the store has not confirmed."""
    orders = [
        r[0]
        for r in conn.execute(
            "SELECT o.id FROM orders o LEFT JOIN outbox b ON b.order_id = o.id "
            "WHERE b.state IS NOT ? ORDER BY b.seq IS NULL, b.seq, o.created_at",
            (SYNCED,),
        )
    ]
    refunds: list[str] = []
    for table, id_col in refund_outboxes(conn):
        refunds += [
            str(r[0])
            for r in conn.execute(
                f'SELECT "{id_col}" FROM "{table}" WHERE state IS NOT ?',  # noqa: S608
                (SYNCED,),
            )
            if str(r[0]) not in refunds
        ]
    others = [
        (table, str(r[0]))
        for table, id_col, _parent, _key in other_outboxes(conn)
        for r in conn.execute(
            f'SELECT "{id_col}" FROM "{table}" WHERE state IS NOT ?',  # noqa: S608
            (SYNCED,),
        )
    ]
    return Pending(tuple(orders), tuple(refunds), tuple(others))


def _rows(conn: sqlite3.Connection, table: str, column: str, value: str) -> list[Row]:
    # Table and column names come from the database's own schema (sqlite_master), never input.
    sql = f'SELECT * FROM "{table}" WHERE "{column}" = ?'  # noqa: S608
    cur = conn.execute(sql, (value,))
    cols = [d[0] for d in cur.description]
    return [{c: _plain(v) for c, v in zip(cols, row, strict=True)} for row in cur]


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$base64": base64.b64encode(value).decode()}
    return value


def _value(value: Any) -> Any:
    if isinstance(value, Mapping) and "$base64" in value:
        return base64.b64decode(value["$base64"])
    return value


def _order_rows(
    conn: sqlite3.Connection, tables: Mapping[str, list[str]], oid: str
) -> dict[str, list[Row]]:
    rows = {"orders": _rows(conn, "orders", "id", oid)}
    for table, cols in tables.items():
        # A refund of the order is its own record (only an unsynced one is exported).
        if table != "orders" and "order_id" in cols and "refund" not in table:
            found = _rows(conn, table, "order_id", oid)
            if found:
                rows[table] = found
    return rows


def records(conn: sqlite3.Connection, todo: Pending) -> Iterator[Row]:
    """The export's lines after the header, one per order then one per refund."""
    tables = _tables(conn)
    for oid in todo.orders:
        yield {"kind": "order", "id": oid, "rows": _order_rows(conn, tables, oid)}
    outboxes = dict(refund_outboxes(conn))
    for rid in todo.refunds:
        # The refunded order comes along, uploaded or not: the refund is uploaded against it.
        parent = conn.execute("SELECT order_id FROM refunds WHERE id = ?", (rid,)).fetchone()
        rows = _order_rows(conn, tables, str(parent[0])) if parent and "refunds" in tables else {}
        for table, cols in tables.items():
            column = outboxes.get(table) or ("refund_id" if "refund_id" in cols else None)
            if column is None and table.startswith("refund") and "id" in cols:
                column = "id"
            if column:
                found = _rows(conn, table, column, rid)
                if found:
                    rows[table] = found
        yield {"kind": "refund", "id": rid, "rows": rows}
    links = {t: (col, parent, key) for t, col, parent, key in other_outboxes(conn)}
    for table, oid in todo.others:
        col, parent, key = links[table]
        rows = {parent: _rows(conn, parent, key, oid), table: _rows(conn, table, col, oid)}
        yield {"kind": table.removesuffix("_outbox"), "id": oid, "rows": rows}


def export(conn: sqlite3.Connection, path: Path, *, device: str, now: datetime) -> Pending:
    """Write every unsynced order and refund to `path` (JSON lines), durably; what it holds.

    The file is written beside its final name and renamed there after an fsync, then read back
    and checked to hold each one: ExportFailed otherwise, and the caller must not wipe.
    """
    todo = pending(conn)
    header = {
        "kind": "export",
        "schema": current_version(conn),
        "device": device,
        "exported_at": now.isoformat(),
        **todo.counts(),
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # customers' data
    try:
        with os.fdopen(fd, "w", encoding="utf-8", closefd=False) as fh:
            for line in (header, *records(conn, todo)):
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    got = read_export(path)
    wanted = {("order", i) for i in todo.orders} | {("refund", i) for i in todo.refunds}
    wanted |= {(t.removesuffix("_outbox"), i) for t, i in todo.others}
    if {(r["kind"], r["id"]) for r in got} != wanted:
        raise ExportFailed(f"{path}: reading the export back did not find every order and refund")
    return todo


class ExportFailed(RuntimeError):
    """The export could not be written or read back whole: nothing may be wiped."""


def read_export(path: Path) -> list[Row]:
    """The records of an export file (not its header); ValueError for a file that is not one."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or json.loads(lines[0]).get("kind") != "export":
        raise ValueError(f"{path} is not a kiosk export (its first line is no export header)")
    return [json.loads(line) for line in lines[1:] if line.strip()]


def restore(conn: sqlite3.Connection, records_: list[Row]) -> int:
    """Insert the exported rows (in a write transaction); how many orders and refunds were new.

    A table's own row number that nothing points at (`seq` of the outbox) is left for this
    database to give, so the rows queue after what it has, in the exported order.
    """
    conn.execute("PRAGMA defer_foreign_keys = ON")  # lines before their taxes, in any order
    tables = _tables(conn)
    referenced = {
        (str(fk[2]), str(fk[4]))
        for t in tables
        for fk in conn.execute(f'PRAGMA foreign_key_list("{t}")')
    }
    aliases = {t: _rowid_alias(conn, t) for t in tables}
    aliases = {t: a for t, a in aliases.items() if (t, a) not in referenced}
    new = 0
    for record in records_:
        rows: Mapping[str, list[Row]] = record["rows"]
        before = conn.total_changes
        for table in sorted(rows, key=lambda t: (t != "orders", t)):
            if table not in tables:
                raise ValueError(f"the export has rows for a table this device lacks: {table}")
            for row in rows[table]:
                cols = [c for c in row if c in tables[table] and c != aliases[table]]
                marks = ", ".join("?" for _ in cols)
                names = ", ".join(f'"{c}"' for c in cols)
                # Only names this database's schema has (checked above) reach the statement.
                conn.execute(
                    f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({marks})',  # noqa: S608
                    [_value(row[c]) for c in cols],
                )
        new += conn.total_changes > before
    return new


def _rowid_alias(conn: sqlite3.Connection, table: str) -> str | None:
    pks = [c for c in conn.execute(f'PRAGMA table_info("{table}")') if c[5]]
    if len(pks) == 1 and str(pks[0][2]).upper() == "INTEGER":
        return str(pks[0][1])
    return None
