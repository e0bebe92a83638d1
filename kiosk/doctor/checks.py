"""Every check a technician needs, each a Check with the fix in words.

The database is opened read-only (a doctor changes nothing, and does not migrate); the store,
the reader, the printer, the scanners, the network and the clock are reached through callables
in Probes, which the command fills with the real ones and tests with fakes and simulators.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.connectors.base import StoreInfo
from kiosk.connectors.errors import ConnectorError
from kiosk.doctor.base import Check, fail, ok, warn
from kiosk.doctor.clock import ClockSource
from kiosk.network.base import Link, LinkKind
from kiosk.reset.unsynced import pending
from kiosk.secrets import Secrets
from kiosk.store.migrate import current_version, latest_version
from kiosk.store.rows import opt_from_text
from kiosk.store.sync_state import read_sync_status

MIN_FREE = 200 * 1024 * 1024  # below this SQLite may fail to write a sale
LOW_FREE = 1024 * 1024 * 1024
UPLOAD_WARN, UPLOAD_FAIL = timedelta(minutes=15), timedelta(hours=2)
QUEUE_WARN, QUEUE_FAIL = timedelta(hours=1), timedelta(hours=24)
STORE_TIMEOUT_S = 20.0


@dataclass(frozen=True, slots=True)
class Device:
    """What a hardware probe saw: a name, and a problem in words if any."""

    name: str
    problem: str = ""


@dataclass
class Probes:
    clock: ClockSource
    check_store: Callable[[Config, Secrets], Awaitable[StoreInfo]]
    reader: Callable[[Config, Secrets], Awaitable[Check]]
    printer: Callable[[Config], Awaitable[Device | None]]  # None: none configured or found
    scanners: Callable[[Config], Awaitable[list[Device]]]
    network: Callable[[], Awaitable[Link]]
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def open_read_only(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)


def database_report(db_path: Path, full: bool = False) -> dict[str, Any]:
    """Integrity (quick_check, or integrity_check when `full`), foreign keys, schema version."""
    conn = open_read_only(db_path)
    try:
        pragma = "integrity_check" if full else "quick_check"
        problems = [r[0] for r in conn.execute(f"PRAGMA {pragma}")]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        return {
            "check": pragma,
            "integrity": "ok" if problems == ["ok"] else problems,
            "foreign_key_problems": len(fk),
            "schema_version": current_version(conn),
            "latest_version": latest_version(),
        }
    finally:
        conn.close()


def check_database(db_path: Path) -> Check:
    name = "database"
    if not db_path.exists():
        return warn(
            name,
            f"no database at {db_path} yet",
            "run `kiosk sync --once` or start the agent: the first sync creates it",
        )
    try:
        r = database_report(db_path)
    except sqlite3.DatabaseError as exc:
        return fail(name, f"{db_path} cannot be read: {exc}", _RESTORE)
    if r["integrity"] != "ok":
        shown = "; ".join(r["integrity"][:3])
        return fail(name, f"{db_path} is damaged: {shown}", _RESTORE)
    if r["foreign_key_problems"]:
        return warn(
            name,
            f"{r['foreign_key_problems']} rows point at rows that are gone",
            "run `kiosk db check` and send the diagnostics bundle to support",
        )
    if r["schema_version"] > r["latest_version"]:
        return fail(
            name,
            f"written by a newer version (schema {r['schema_version']})",
            "update this device's software to the version that wrote it",
        )
    return ok(name, f"intact (schema {r['schema_version']})")


_RESTORE = (
    "stop kiosk-ui and kiosk-agent, save the orders not uploaded with "
    "`kiosk reset --export FILE --yes`, then provision the device again"
)


def check_disk(data_dir: Path) -> Check:
    name = "free space"
    where = data_dir if data_dir.exists() else data_dir.parent
    try:
        usage = shutil.disk_usage(where)
    except OSError as exc:
        return fail(name, f"cannot read {where}: {exc.strerror}", "check the SD card is mounted")
    free_mb = usage.free // (1024 * 1024)
    if usage.free < MIN_FREE:
        return fail(
            name,
            f"only {free_mb} MB free on {where}: sales may fail to save",
            "free space: remove old logs (`journalctl --vacuum-size=50M`) or use a bigger SD card",
        )
    if usage.free < LOW_FREE:
        return warn(
            name, f"{free_mb} MB free on {where}", "free some space soon: old logs, old exports"
        )
    return ok(name, f"{free_mb} MB free on {where}")


async def check_clock(source: ClockSource) -> Check:
    name = "clock"
    state = await source.state()
    if state.synchronized is None:
        return warn(
            name,
            "cannot tell whether the clock is synchronised (no timedatectl)",
            "check the date and time: a wrong clock makes the store refuse signed "
            "requests and certificates look invalid",
        )
    if state.synchronized:
        return ok(name, "synchronised with a time server")
    if state.ntp_enabled is False:
        return fail(
            name,
            "time synchronisation is switched off",
            "run `timedatectl set-ntp true`: a wrong clock breaks OAuth signatures and TLS",
        )
    return fail(
        name,
        "not synchronised with a time server",
        "let the device reach a time server (UDP port 123, or the network's own NTP "
        "server): a wrong clock breaks OAuth signatures and TLS",
    )


async def check_store(config: Config, secrets: Secrets, probe: Callable[..., Any]) -> Check:
    name = "store"
    store = config.store
    if not store.platform:
        return fail(
            name,
            "not connected to a store",
            "run `kiosk provision --file kiosk.toml` or `kiosk provision woocommerce`",
        )
    try:
        async with asyncio.timeout(STORE_TIMEOUT_S):
            info: StoreInfo = await probe(config, secrets)
    except TimeoutError:
        return fail(
            name,
            f"{store.url} did not answer in {STORE_TIMEOUT_S:g} s",
            "check the network, and that the store's site is up",
        )
    except ConnectorError as exc:
        return fail(
            name,
            f"{store.url}: {exc}",
            "fix what the message names, then provision the device again with the right keys",
        )
    except Exception as exc:  # NotProvisioned: no keys in the secrets file
        return fail(name, f"{store.url}: {exc}", "provision the device again")
    if not info.can_write:
        return fail(
            name,
            f"{info.name or store.url}: the keys are read-only",
            "give keys (or a token) that may write orders: sales cannot upload",
        )
    return ok(name, f"{info.name or store.url} ({store.platform}, {info.currency}): keys valid")


async def check_printer(
    config: Config, probe: Callable[[Config], Awaitable[Device | None]]
) -> Check:
    name = "printer"
    try:
        found = await probe(config)
    except Exception as exc:  # a driver's error, in its words
        return fail(name, f"cannot reach the printer: {exc}", "check its cable and power")
    if found is None:
        return warn(
            name,
            "no receipt printer set or found",
            'set printer = "usb:VID:PID" under [hardware], then `kiosk hw test-print`',
        )
    if found.problem:
        return fail(
            name,
            f"{found.name}: {found.problem}",
            "check paper, cover, cable and power; then `kiosk hw test-print`",
        )
    return ok(name, f"{found.name} ready")


async def check_scanners(
    config: Config, probe: Callable[[Config], Awaitable[list[Device]]]
) -> Check:
    name = "scanners"
    try:
        found = await probe(config)
    except Exception as exc:
        return warn(name, f"cannot look for scanners: {exc}", "run `kiosk hw scanners`")
    if not found:
        return warn(
            name,
            "no barcode scanner found",
            "plug one in, or name it in hardware.scanners; check with `kiosk hw scanners`",
        )
    bad = [d for d in found if d.problem]
    if bad:
        shown = "; ".join(f"{d.name}: {d.problem}" for d in bad)
        return warn(name, shown, "check with `kiosk hw scanners`")
    return ok(name, ", ".join(d.name for d in found))


async def check_network(probe: Callable[[], Awaitable[Link]]) -> Check:
    name = "network"
    link = await probe()
    if link.kind is LinkKind.NONE:
        return fail(
            name,
            "offline: no network connection",
            "join WiFi (`kiosk network wifi connect SSID`), plug in Ethernet, or "
            "check the SIM; sales are kept and upload later",
        )
    if link.kind is LinkKind.UNKNOWN:
        return warn(
            name,
            "cannot ask NetworkManager about the network",
            "check that NetworkManager runs: `kiosk network status`",
        )
    if link.signal is not None and link.signal < 30:
        return warn(
            name,
            f"{link.label}: weak signal",
            "move the device or the access point closer, or use Ethernet",
        )
    return ok(name, link.label + (" (metered)" if link.metered else ""))


def queue_report(db_path: Path) -> dict[str, Any]:
    """The outbox as the upload checks need it: counts by state, the oldest waiting, last push."""
    conn = open_read_only(db_path)
    try:
        states = dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state"))
        oldest = conn.execute(
            "SELECT min(o.created_at) FROM outbox b JOIN orders o ON o.id = b.order_id "
            "WHERE b.state != 'synced'"
        ).fetchone()[0]
        errors = [
            {"order": r[0], "state": r[1], "attempts": r[2], "error": r[3], "at": r[4]}
            for r in conn.execute(
                "SELECT o.number, b.state, b.attempts, b.last_error, b.updated_at FROM outbox b "
                "JOIN orders o ON o.id = b.order_id WHERE b.last_error != '' "
                "ORDER BY b.updated_at DESC LIMIT 50"
            )
        ]
        sync = read_sync_status(conn)
        also = {k: n for k, n in pending(conn).counts().items() if k != "orders" and n}
        return {
            "states": states,
            "also_waiting": also,  # refunds, collected pickups: each their own outbox
            "oldest_waiting": oldest,
            "last_push_at": sync.last_push_at.isoformat() if sync.last_push_at else None,
            "last_pull_at": sync.last_pull_at.isoformat() if sync.last_pull_at else None,
            "recent_errors": errors,
        }
    finally:
        conn.close()


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} days"


def check_uploads(db_path: Path, now: datetime) -> list[Check]:
    """Time since the last upload, and the oldest order waiting (and any the store refused)."""
    if not db_path.exists():
        return []
    try:
        q = queue_report(db_path)
    except sqlite3.DatabaseError as exc:
        return [fail("uploads", f"cannot read the upload queue: {exc}", _RESTORE)]
    waiting = sum(n for s, n in q["states"].items() if s in ("pending_sync", "syncing"))
    refused = q["states"].get("failed", 0)
    last = opt_from_text(q["last_push_at"])
    since = f"last upload {_age(now - last)} ago" if last else "nothing uploaded yet"
    also = ", ".join(f"{n} {kind}" for kind, n in q["also_waiting"].items())
    since += f"; also waiting: {also}" if also else ""
    waiting += sum(q["also_waiting"].values())
    if not waiting:
        upload = ok("last upload", f"nothing waiting; {since}")
    elif last is None or now - last > UPLOAD_FAIL:
        upload = fail(
            "last upload",
            f"{waiting} upload(s) waiting; {since}",
            "check the network and the store check above; is kiosk-agent running "
            "(`systemctl status kiosk-agent`)?",
        )
    elif now - last > UPLOAD_WARN:
        upload = warn(
            "last upload",
            f"{waiting} upload(s) waiting; {since}",
            "uploads are slow: check the network and the store",
        )
    else:
        upload = ok("last upload", f"{waiting} upload(s) waiting; {since}")
    oldest = opt_from_text(q["oldest_waiting"])
    if refused:
        queue = fail(
            "oldest queued order",
            f"{refused} order(s) refused by the store",
            "see why with `kiosk orders list --state failed`, fix it on the store, "
            "then `kiosk orders retry NUMBER`",
        )
    elif oldest is None:
        queue = ok("oldest queued order", "no order waiting")
    elif now - oldest > QUEUE_FAIL:
        queue = fail(
            "oldest queued order",
            f"waiting for {_age(now - oldest)}",
            "get the device online; the sales are safe here until they upload",
        )
    elif now - oldest > QUEUE_WARN:
        queue = warn(
            "oldest queued order",
            f"waiting for {_age(now - oldest)}",
            "check the network and the store",
        )
    else:
        queue = ok("oldest queued order", f"waiting for {_age(now - oldest)}")
    return [upload, queue]


async def run_checks(config: Config, secrets: Secrets, probes: Probes) -> list[Check]:
    """Every check, in the order a technician reads them."""
    db_path = config.db_path
    # The database and disk checks block (SQLite, statfs): off the loop, in a thread.
    return [
        await asyncio.to_thread(check_database, db_path),
        await asyncio.to_thread(check_disk, config.data_dir),
        await check_clock(probes.clock),
        await check_network(probes.network),
        await check_store(config, secrets, probes.check_store),
        await probes.reader(config, secrets),
        await check_printer(config, probes.printer),
        await check_scanners(config, probes.scanners),
        *await asyncio.to_thread(check_uploads, db_path, probes.now()),
    ]
